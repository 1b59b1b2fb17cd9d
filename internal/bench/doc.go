// Package bench holds alertkit's benchmarks side by side with Alertmanager's
// equivalents. It is a module of its own so that the main module never needs
// the Alertmanager packages these benchmarks import.
//
// Each pair is named Benchmark<Work>/<case>/alertkit and
// Benchmark<Work>/<case>/alertmanager, so that benchstat can compare them:
//
//	cd internal/bench
//	go test -run '^$' -bench . -benchmem -count 5 | tee new.txt
//	benchstat -col /impl new.txt
//
// The benchmarks run the same work on both sides: the same labels, and
// matchers equivalent to the queries (Alertmanager has no IN, so IN is
// compared with the regular expression Alertmanager users write instead).
package bench
