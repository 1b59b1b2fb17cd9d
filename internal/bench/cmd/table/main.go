// Command table runs alertkit's benchmarks beside Alertmanager's and prints
// a Markdown table of the medians: time per operation (alerts per second for
// ingestion), allocations, memory per held alert, and how many times faster
// or smaller alertkit is.
//
//	cd internal/bench
//	go run ./cmd/table            # Match, Route, Mute, Inhibit; Ingest at 10k and 100k
//	go run ./cmd/table -large     # Ingest at 1M too
//	go run ./cmd/table -in old.txt  # the table of a saved run
//
// It runs `go test -bench` in the current directory and copies its output
// to standard error and to -out. Every benchmark runs -count times (5 by
// default): Match, Route, Mute and Inhibit in -count rounds of one run each,
// so that a burst of other work on the machine slows both sides of a pair
// alike; Ingest with -count in one go test, so that its held state is built
// once per size, and with -benchtime 100x, a hundred batches of 1,000 alerts
// per run.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark")
	large := flag.Bool("large", false, "add the Ingest cases of 1M held alerts (slow)")
	in := flag.String("in", "", "read benchmark output from this file instead of running the benchmarks")
	out := flag.String("out", "", "also write go test's output to this file")
	flag.Parse()
	if err := run(*count, *large, *in, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func run(count int, large bool, in, out string, stdout io.Writer) error {
	var output bytes.Buffer
	if in != "" {
		data, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		output.Write(data)
	} else {
		if count < 1 {
			return fmt.Errorf("-count %d: want at least 1", count)
		}
		var runs [][]string
		for range count {
			runs = append(runs, []string{"-bench", "^Benchmark(Match|Route|Mute|Inhibit)$", "-count", "1", "-timeout", "1h"})
		}
		runs = append(runs, []string{"-bench", "^BenchmarkIngest$", "-count", fmt.Sprint(count), "-benchtime", "100x", "-timeout", "3h"})
		for _, args := range runs {
			args = append([]string{"test", "-run", "^$", "-benchmem"}, args...)
			args = append(args, ".")
			cmd := exec.Command("go", args...)
			cmd.Env = os.Environ()
			if large {
				cmd.Env = append(cmd.Env, "ALERTKIT_BENCH_LARGE=1")
			}
			cmd.Stdout = io.MultiWriter(&output, os.Stderr)
			cmd.Stderr = os.Stderr
			fmt.Fprintln(os.Stderr, "$ go", strings.Join(args, " "))
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
			}
		}
	}
	if out != "" {
		if err := os.WriteFile(out, output.Bytes(), 0o644); err != nil {
			return err
		}
	}
	set, err := parse(&output)
	if err != nil {
		return err
	}
	if len(set.rows) == 0 {
		return fmt.Errorf("no pairs of alertkit and alertmanager benchmarks in the output")
	}
	if in == "" {
		goVersion := runtime.Version()
		if v, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
			goVersion = strings.TrimSpace(string(v))
		}
		set.machine = fmt.Sprintf("%s, %d CPUs, %s", set.cpu, runtime.NumCPU(), goVersion)
	}
	_, err = io.WriteString(stdout, set.markdown())
	return err
}
