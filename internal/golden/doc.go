// Package golden compares what a test produces with a golden file, and
// rewrites the file when the test runs with -update:
//
//	golden.Check(t, "testdata/output.golden", out.Bytes())
//
//	go test ./examples/quickstart -update   # after checking the change
//
// It registers the -update flag; a test package that imports it must not
// declare its own.
package golden
