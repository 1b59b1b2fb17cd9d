// Package bench holds alertkit's benchmarks side by side with Alertmanager's
// equivalents. It is a module of its own so that the main module never needs
// the Alertmanager packages these benchmarks import.
//
// Each pair is named Benchmark<Work>/<case>/alertkit and
// Benchmark<Work>/<case>/alertmanager. The command in cmd/table runs them
// five times and prints the medians and their ratios as a Markdown table:
//
//	cd internal/bench
//	go run ./cmd/table          # add -large for Ingest with 1M alerts held
//
// To compare two versions of alertkit, save both runs and use benchstat:
//
//	go test -run '^$' -bench . -benchmem -count 10 > old.txt
//	go test -run '^$' -bench . -benchmem -count 10 > new.txt
//	benchstat old.txt new.txt
//
// The benchmarks run the same work on both sides: the same labels, and
// matchers equivalent to the queries (Alertmanager has no IN, so IN is
// compared with the regular expression Alertmanager users write instead);
// BenchmarkIngest routes with the same Alertmanager configuration on both
// sides, and groups the alerts into the same groups.
package bench
