package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/slo"
)

// TestTechShop runs the month and compares its output with the golden
// file, which shows what a user sees: the stack, its SLOs and rules, every
// change of an alert, where each error budget stands at the end, the
// Prometheus page and the files written. The subtests check the points of
// the month on that output, in case the golden file is rewritten blindly.
func TestTechShop(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	require.NoError(t, run(context.Background(), &buf, dir))
	out := strings.ReplaceAll(buf.String(), dir, "$OUT")
	golden.Check(t, filepath.Join("testdata", "output.golden"), []byte(out))

	changes := timeline(t, out)
	outage := dbSlow.at.Add(dbSlow.duration)

	t.Run("the outage pages, and the page resolves after it", func(t *testing.T) {
		for _, page := range []string{"AvailabilityBudgetBurn (page)", "LatencyBudgetBurn (page)", "ErrorRateBudgetBurn (page)"} {
			fired, resolved := changes.find(page, "firing"), changes.find(page, "firing → resolved")
			require.Len(t, fired, 1, page)
			require.Len(t, resolved, 1, page)
			assert.True(t, dbSlow.during(fired[0]), "%s fires during the outage, not at %s", page, fired[0])
			assert.True(t, resolved[0].After(fired[0]) && resolved[0].Before(outage.Add(time.Hour)),
				"%s resolves within the hour after the outage, not at %s", page, resolved[0])
		}
		avail := changes.find("AvailabilityBudgetBurn (page)", "firing")[0]
		assert.True(t, dbErrors.during(avail), "availability pages on the 5xx, at %s", avail)
	})

	t.Run("the restart does not page", func(t *testing.T) {
		for _, c := range changes {
			if strings.Contains(c.alert, "BudgetBurn") {
				assert.True(t, dbSlow.during(c.at) || c.at.After(outage) && c.at.Before(outage.Add(time.Hour)),
					"a burn-rate alert only for the outage: %s %s at %s", c.alert, c.change, c.at)
			}
		}
		fired := changes.find("InstanceDown", "pending → firing")
		require.Len(t, fired, 1)
		assert.True(t, restart.during(fired[0]), "InstanceDown fires during the restart, not at %s", fired[0])
	})

	t.Run("every threshold rule fires and resolves", func(t *testing.T) {
		for _, name := range []string{"InstanceDown", "HighCPU", "HighErrorRate", "HighLatencyP95", "HighActiveRequests",
			"SLOAvailabilityBreach", "SLOLatencyBreach"} {
			fired, resolved := changes.find(name, "pending → firing"), changes.find(name, "firing → resolved")
			require.NotEmpty(t, fired, name)
			require.Len(t, resolved, len(fired), name)
			for i := range fired {
				assert.True(t, resolved[i].After(fired[i]), name)
			}
		}
		assert.NotEmpty(t, changes.find("SLOAvailabilityBreach", "pending → dropped"),
			"TechShop's 5-minute SLO rule goes pending on the noise of quiet nights")
	})

	t.Run("the budgets printed are the slo math", func(t *testing.T) {
		budgets := budgets(t, out)
		require.Len(t, budgets, 3)
		for _, b := range budgets {
			t.Run(b.name, func(t *testing.T) {
				o := slo.Objective{Name: b.name, Target: b.target}
				sli := 1 - b.bad/b.total
				remaining := o.BudgetRemaining(sli)
				// TechShop's dashboard formula, in percent.
				assert.InDelta(t, 100*(1-(1-sli)/(1-b.target)), 100*remaining, 1e-9)
				assert.Equal(t, percent(sli, 3), b.rows["SLI"])
				assert.Equal(t, percent(remaining, 1), b.rows["error budget remaining"])

				burn := o.BurnRate(b.badNow / b.totalNow)
				assert.Equal(t, formatBurn(burn)+"×", b.rows["burn rate now"])
				// The time to exhaustion is what remains of the budget
				// at that burn rate: remaining × period / burn.
				assert.InDelta(t, remaining*30*24/burn, o.TimeLeft(remaining, burn).Hours(), 1e-6)
				assert.Equal(t, roughly(o.TimeLeft(remaining, burn)), b.rows["time to exhaustion"])
				// TechShop's dashboard formula, (1 - target) * 30 * 24 /
				// (1 - sli), counts a whole budget, however much is spent.
				hours := (1 - b.target) * 30 * 24 / (b.badNow / b.totalNow)
				assert.InDelta(t, hours, o.TimeToExhaustion(burn).Hours(), 1e-6)
				assert.Equal(t, roughly(o.TimeToExhaustion(burn)), b.rows["a whole budget would last"])
				assert.Less(t, o.TimeLeft(remaining, burn), o.TimeToExhaustion(burn), "part of the budget is spent")

				// The chart says the same.
				svg, err := os.ReadFile(filepath.Join(dir, b.name+".svg"))
				require.NoError(t, err)
				summary := chartSummary.FindStringSubmatch(string(svg))
				require.NotNil(t, summary, "the chart's summary")
				assert.Equal(t, "budget remaining "+b.rows["error budget remaining"]+" · burn "+b.rows["burn rate now"]+
					" (last "+slo.FormatDuration(burnWindow)+") · exhausted in "+b.rows["time to exhaustion"]+" at this rate", summary[1])
			})
		}
	})

	t.Run("the files", func(t *testing.T) {
		for _, name := range []string{"availability.svg", "latency.svg", "error-rate.svg"} {
			path := filepath.Join(dir, name)
			assert.Contains(t, out, filepath.Join("$OUT", name))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			root, err := parseXML(data)
			require.NoError(t, err, name)
			assert.Equal(t, "svg", root, name)
		}
		data, err := os.ReadFile(filepath.Join(dir, "availability.rules.yml"))
		require.NoError(t, err)
		var rules struct {
			Groups []struct {
				Rules []struct{ Alert, Record, Expr string }
			}
		}
		require.NoError(t, yaml.Unmarshal(data, &rules))
		require.Len(t, rules.Groups, 1)
		assert.Len(t, rules.Groups[0].Rules, 15)
		assert.Contains(t, string(data), `http_requests_total{status=~"5.."}`, "TechShop's label")
	})
}

// TestCancel stops the month when its context is done.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := run(ctx, io.Discard, t.TempDir())
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"thousands", thousands(73797165), "73,797,165"},
		{"thousands small", thousands(704), "704"},
		{"thousands rounds", thousands(1707.6), "1,708"},
		{"percent trims zeros", percent(0.9986, 3), "99.86%"},
		{"percent rounds", percent(0.72149, 1), "72.1%"},
		{"percent of nothing", percent(-0.00001, 1), "0%"},
		{"burn", formatBurn(14.883), "14.88"},
		{"burn under 1", formatBurn(0.2049), "0.2"},
		{"roughly days", roughly(146*24*time.Hour + 10*time.Hour + 20*time.Minute), "146d10h"},
		{"roughly hours", roughly(2*time.Hour + 3*time.Minute + 40*time.Second), "2h4m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}
}

// change is a line of the printed timeline.
type change struct {
	at            time.Time
	alert, change string
}

type changes []change

// find returns the times of an alert's changes of a kind.
func (cs changes) find(alert, kind string) []time.Time {
	var out []time.Time
	for _, c := range cs {
		if c.alert == alert && c.change == kind {
			out = append(out, c.at)
		}
	}
	return out
}

var columns = regexp.MustCompile(`\s{2,}`)

// timeline reads the printed changes of the alerts.
func timeline(t *testing.T, out string) changes {
	t.Helper()
	_, rest, ok := strings.Cut(out, "Alerts, as the evaluator reported them:\n")
	require.True(t, ok)
	rest, _, ok = strings.Cut(rest, "\nThe SLOs on ")
	require.True(t, ok)
	var cs changes
	for line := range strings.Lines(rest) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := columns.Split(strings.TrimSpace(line), -1)
		require.Len(t, f, 4, line)
		at, err := time.Parse(day, f[0])
		require.NoError(t, err, line)
		cs = append(cs, change{time.Date(2026, at.Month(), at.Day(), at.Hour(), at.Minute(), 0, 0, time.UTC), f[1], f[2]})
	}
	require.NotEmpty(t, cs)
	return cs
}

// budget is an SLO's printed state at the end of the month.
type budget struct {
	name       string
	target     float64
	bad, total float64 // over the month
	badNow     float64 // over the last hour
	totalNow   float64
	rows       map[string]string // the second column, by the first
}

var (
	sloHeading   = regexp.MustCompile(`^  ([a-z-]+) ([0-9.]+)%: `)
	counts       = regexp.MustCompile(`([0-9,]+) of ([0-9,]+) requests`)
	chartSummary = regexp.MustCompile(`class="summary">([^<]*)<`)
)

// budgets reads the printed SLOs.
func budgets(t *testing.T, out string) []*budget {
	t.Helper()
	_, rest, ok := strings.Cut(out, "over the 30 days:\n")
	require.True(t, ok)
	rest, _, ok = strings.Cut(rest, "\nThe availability SLO as Prometheus rules")
	require.True(t, ok)
	var bs []*budget
	for line := range strings.Lines(rest) {
		if m := sloHeading.FindStringSubmatch(line); m != nil {
			target, err := strconv.ParseFloat(m[2], 64)
			require.NoError(t, err)
			bs = append(bs, &budget{name: m[1], target: math.Round(target*10) / 1000, rows: map[string]string{}})
			continue
		}
		f := columns.Split(strings.TrimSpace(line), -1)
		if len(f) < 2 || len(bs) == 0 {
			continue
		}
		b := bs[len(bs)-1]
		b.rows[f[0]] = f[1]
		if c := counts.FindStringSubmatch(line); c != nil && (f[0] == "SLI" || f[0] == "burn rate now") {
			bad, total := number(t, c[1]), number(t, c[2])
			if f[0] == "SLI" {
				b.bad, b.total = bad, total
			} else {
				b.badNow, b.totalNow = bad, total
			}
		}
	}
	for _, b := range bs {
		require.NotZero(t, b.total, b.name)
		require.NotZero(t, b.totalNow, b.name)
	}
	return bs
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	require.NoError(t, err)
	return n
}

// parseXML reads a whole XML document and returns the name of its root.
func parseXML(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if root == "" {
				return "", errors.New("no element")
			}
			return root, nil
		}
		if err != nil {
			return "", err
		}
		if s, ok := tok.(xml.StartElement); ok && root == "" {
			root = s.Name.Local
		}
	}
}
