package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/alertkit/alertkit/internal/bench
cpu: AMD EPYC
BenchmarkMatch/equal-1/alertkit-2         	19868548	        11.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkMatch/equal-1/alertkit-2         	19868548	        13.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkMatch/equal-1/alertkit-2         	19868548	        12.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkMatch/equal-1/alertmanager-2     	21901698	        10.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkMatch/equal-1/alertmanager-2     	21901698	        12.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkMatch/equal-1/alertmanager-2     	21901698	        30.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkRoute/rules=10000/alertkit-2     	 1000000	       220.0 ns/op	      48 B/op	       1 allocs/op
BenchmarkRoute/rules=10000/alertmanager-2 	     912	    368300 ns/op	      16 B/op	       2 allocs/op
BenchmarkOnlyOne/x/alertkit-2             	     100	       100.0 ns/op
BenchmarkIngest/new-10000/alertkit-2         	     100	   4065763 ns/op	    245956 alerts/s	      2433 bytes/alert	 2194063 B/op	   14009 allocs/op
BenchmarkIngest/new-10000/alertkit-2         	     100	   4065763 ns/op	    255956 alerts/s	      2431 bytes/alert	 2194063 B/op	   14011 allocs/op
BenchmarkIngest/new-10000/alertmanager-2     	     100	   4622993 ns/op	    216310 alerts/s	      1767 bytes/alert	 2674428 B/op	   39138 allocs/op
BenchmarkIngest/new-10000/alertmanager-2     	     100	   4622993 ns/op	    216290 alerts/s	      1769 bytes/alert	 2674428 B/op	   39136 allocs/op
BenchmarkIngest/refresh-10000/alertkit-2     	     100	    626175 ns/op	   1596998 alerts/s	       0 B/op	       0 allocs/op
BenchmarkIngest/refresh-10000/alertmanager-2 	     100	   5504530 ns/op	    181669 alerts/s	 2674237 B/op	   39138 allocs/op
--- FAIL: BenchmarkBroken
BenchmarkBroken/a/alertkit-2 --- FAIL
PASS
ok  	github.com/alertkit/alertkit/internal/bench	44.000s
`

const want = `CPU: AMD EPYC.

| benchmark | alertkit | Alertmanager | alertkit faster | allocs/op alertkit | allocs/op Alertmanager | runs |
|---|--:|--:|--:|--:|--:|--:|
| Match equal-1 | 12.0 ns | 12.0 ns | 1.00× | 0 | 0 | 3 |
| Route rules=10000 | 220 ns | 368 µs | 1,700× | 1 | 2 | 1 |
| Ingest new-10000 | 251k alerts/s | 216k alerts/s | 1.16× | 14010 | 39137 | 2 |
| Ingest refresh-10000 | 1.60M alerts/s | 182k alerts/s | 8.79× | 0 | 39138 | 1 |

| memory per held alert | alertkit | Alertmanager | alertkit / Alertmanager |
|---|--:|--:|--:|
| Ingest new-10000 | 2432 B | 1768 B | 1.38× |
`

func TestTable(t *testing.T) {
	s, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.markdown(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRunFromFile(t *testing.T) {
	in := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(5, false, in, "", &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if err := run(5, false, filepath.Join(t.TempDir(), "missing.txt"), "", &out); err == nil {
		t.Error("a missing input file is no error")
	}
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, []byte("PASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(5, false, empty, "", &out); err == nil {
		t.Error("an output without pairs is no error")
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []float64
		want float64
	}{
		{"one", []float64{3}, 3},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	if !math.IsNaN(median(nil)) {
		t.Error("the median of nothing is a number")
	}
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{duration(11), "11.0 ns"},
		{duration(1234), "1.23 µs"},
		{duration(2_314_502), "2.31 ms"},
		{duration(3.5e9), "3.50 s"},
		{rate(912_000), "912k alerts/s"},
		{rate(1_234_567), "1.23M alerts/s"},
		{times(0.523), "0.52×"},
		{times(12.4), "12×"},
		{times(345.6), "346×"},
		{times(1_234_567), "1,234,600×"},
		{times(math.Inf(1)), "–"},
		{bytesOf(1023.6), "1024 B"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
