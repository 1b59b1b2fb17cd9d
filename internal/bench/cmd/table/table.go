package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The two sides of every pair, as the last element of a benchmark's name.
const (
	alertkit     = "alertkit"
	alertmanager = "alertmanager"
)

// result is the values of one benchmark, by unit, one per run.
type result map[string][]float64

// row is a pair: Benchmark<work>/<case>/{alertkit,alertmanager}.
type row struct {
	work, name string
	sides      map[string]result
}

// set is what a benchmark output holds.
type set struct {
	rows    []*row
	cpu     string
	machine string
}

// parse reads go test -bench output. Lines that are not benchmark results,
// and benchmarks not named as a pair, are skipped.
func parse(r io.Reader) (*set, error) {
	s := &set{}
	byName := map[string]*row{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			s.cpu = strings.TrimSpace(cpu)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue // not a result: "BenchmarkX  --- FAIL" and the like
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // the GOMAXPROCS suffix
			}
		}
		parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
		if len(parts) < 3 {
			continue
		}
		side := parts[len(parts)-1]
		if side != alertkit && side != alertmanager {
			continue
		}
		work, cas := parts[0], strings.Join(parts[1:len(parts)-1], "/")
		key := work + "/" + cas
		rw := byName[key]
		if rw == nil {
			rw = &row{work: work, name: cas, sides: map[string]result{}}
			byName[key] = rw
			s.rows = append(s.rows, rw)
		}
		res := rw.sides[side]
		if res == nil {
			res = result{}
			rw.sides[side] = res
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", fields[0], fields[i], err)
			}
			res[fields[i+1]] = append(res[fields[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Keep the pairs that have both sides.
	s.rows = slices.DeleteFunc(s.rows, func(r *row) bool { return r.sides[alertkit] == nil || r.sides[alertmanager] == nil })
	return s, nil
}

// median returns the median of the values, NaN for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *row) median(side, unit string) float64 { return median(r.sides[side][unit]) }

// runs returns how many runs the row's medians are of, the fewer of its
// two sides.
func (r *row) runs() int {
	return min(len(r.sides[alertkit]["ns/op"]), len(r.sides[alertmanager]["ns/op"]))
}

// markdown renders the set: speed, then memory where the benchmarks
// measured it.
func (s *set) markdown() string {
	var b strings.Builder
	if s.machine != "" {
		fmt.Fprintf(&b, "Machine: %s.\n\n", s.machine)
	} else if s.cpu != "" {
		fmt.Fprintf(&b, "CPU: %s.\n\n", s.cpu)
	}
	b.WriteString("| benchmark | alertkit | Alertmanager | alertkit faster | allocs/op alertkit | allocs/op Alertmanager | runs |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range s.rows {
		var ak, am, faster float64
		var format func(float64) string
		if r.sides[alertkit]["alerts/s"] != nil && r.sides[alertmanager]["alerts/s"] != nil {
			ak, am = r.median(alertkit, "alerts/s"), r.median(alertmanager, "alerts/s")
			faster, format = ak/am, rate
		} else {
			ak, am = r.median(alertkit, "ns/op"), r.median(alertmanager, "ns/op")
			faster, format = am/ak, duration
		}
		fmt.Fprintf(&b, "| %s %s | %s | %s | %s | %s | %s | %d |\n", r.work, r.name, format(ak), format(am), times(faster),
			count(r.median(alertkit, "allocs/op")), count(r.median(alertmanager, "allocs/op")), r.runs())
	}
	var memory []*row
	for _, r := range s.rows {
		if r.sides[alertkit]["bytes/alert"] != nil && r.sides[alertmanager]["bytes/alert"] != nil {
			memory = append(memory, r)
		}
	}
	if len(memory) > 0 {
		b.WriteString("\n| memory per held alert | alertkit | Alertmanager | alertkit / Alertmanager |\n")
		b.WriteString("|---|--:|--:|--:|\n")
		for _, r := range memory {
			ak, am := r.median(alertkit, "bytes/alert"), r.median(alertmanager, "bytes/alert")
			fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", r.work, r.name, bytesOf(ak), bytesOf(am), times(ak/am))
		}
	}
	return b.String()
}

// duration formats nanoseconds with three significant digits: "12.3 ns",
// "4.56 µs", "1.23 ms".
func duration(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "–"
	case ns < 1e3:
		return sig3(ns) + " ns"
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	}
	return sig3(ns/1e9) + " s"
}

// rate formats alerts per second: "912k alerts/s", "1.23M alerts/s".
func rate(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v >= 1e6:
		return sig3(v/1e6) + "M alerts/s"
	case v >= 1e3:
		return sig3(v/1e3) + "k alerts/s"
	}
	return sig3(v) + " alerts/s"
}

func bytesOf(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + " B"
}

func count(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
}

// times formats a ratio: "0.52×", "3.1×", "1,700×".
func times(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case v >= 1000:
		return grouped(int64(math.Round(v/100)*100)) + "×"
	case v >= 100:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + "×"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 0, 64) + "×"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "×"
}

// grouped formats n with commas between groups of three digits.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sig3 formats v, at least 1, with three significant digits.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
