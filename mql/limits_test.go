package mql_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	amlabels "github.com/prometheus/alertmanager/pkg/labels"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/mql"
)

// orQuery joins n copies of a predicate with OR.
func orQuery(pred string, n int) string {
	return strings.TrimSuffix(strings.Repeat(pred+" OR ", n), " OR ")
}

// longestOrQuery joins as many copies of a predicate with OR as
// MaxQueryBytes holds.
func longestOrQuery(pred string) string {
	return orQuery(pred, (mql.MaxQueryBytes+len(" OR "))/(len(pred)+len(" OR ")))
}

// alternatives returns n service names joined by |.
func alternatives(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("service-%d", i)
	}
	return strings.Join(names, "|")
}

func TestCostLimitAccepts(t *testing.T) {
	tests := []struct {
		name  string
		query string
	}{
		{name: "a route on a trigger prefix", query: `~team = db OR trigger =~ "Postgres.*"`},
		{name: "a route on alternatives", query: `project IN (site, shop) AND trigger =~ "Ingress.*|HTTP.*"`},
		{name: "a search on words", query: `project=~horns and trigger=~no-data-for`},
		{name: "instances of a prefix", query: `~instance =~ "db-[0-9]+\\.prod"`},
		{name: "a few services", query: `~service =~ "checkout|payments|cart"`},
		{name: "sixty services", query: `~service =~ "` + alternatives(60) + `"`},
		{name: "four hundred services", query: `~service =~ "` + alternatives(400) + `"`},
		{name: "a run of letters", query: `~owner =~ "\\pL{1,64}"`},
		{name: "twenty-nine runs of letters", query: orQuery(`~owner =~ "\\pL{1,64}"`, 29)},
		{name: "a class repeated a thousand times", query: `~l =~ "\\pL{1000}"`},
		{name: "a thousand repeats of a character", query: `~l =~ "a{1000}"`},
		{name: "a literal as long as a query", query: `~l =~ "` + strings.Repeat("a", mql.MaxQueryBytes-9) + `"`},
		{name: "a hundred Unicode classes", query: orQuery(`~l =~ "[\\p{Greek}\\p{Cyrillic}]+"`, 50)},
		{name: "the longest query of the shortest predicates", query: longestOrQuery(`a=1`)},
		{name: "the longest query of typical regular expressions", query: longestOrQuery(`~instance =~ "db-[0-9]+\\.prod"`)},
		{name: "the longest regular expression of stars", query: `~l =~ "` + strings.Repeat("()*", (mql.MaxQueryBytes-9)/3) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.LessOrEqual(t, len(tt.query), mql.MaxQueryBytes)
			_, err := mql.Parse(tt.query)
			require.NoError(t, err)
		})
	}
}

func TestCostLimitRefuses(t *testing.T) {
	const thousandLetters = `label=~"\\pL{1000}"`
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{
			name:  "two classes repeated a thousand times",
			query: thousandLetters + " OR " + thousandLetters,
			want: `1:24: query too costly: the regular expression at 1:8 expands to 1006 instructions, tests 659000 ranges of characters ` +
				`and names 1 Unicode class: a cost of 67006; the whole query may cost at most 131072, and costs 134014 up to here`,
		},
		{
			name:  "the longest query of a class repeated a thousand times",
			query: longestOrQuery(thousandLetters),
			want: `1:24: query too costly: the regular expression at 1:8 expands to 1006 instructions, tests 659000 ranges of characters ` +
				`and names 1 Unicode class: a cost of 67006; the whole query may cost at most 131072, and costs 134014 up to here`,
		},
		{
			name:  "thirty runs of letters",
			query: orQuery(`~l =~ "\\pL{1,64}"`, 30),
			want: `1:639: query too costly: the regular expression at 1:7 expands to 133 instructions, tests 42176 ranges of characters ` +
				`and names 1 Unicode class: a cost of 4450; the whole query may cost at most 131072, and costs 133530 up to here`,
		},
		{
			name:  "not matching classes repeated",
			query: `x = 1 AND ~l !~ "` + strings.Repeat(`\\pL{100}`, 21) + `"`,
			want: `1:11: query too costly: the regular expression at 1:17 expands to 2106 instructions, tests 1383900 ranges of characters ` +
				`and names 21 Unicode classes: a cost of 142596; the whole query may cost at most 131072, and costs 142598 up to here`,
		},
		{
			name:  "repeats of a character, on the second line",
			query: "trigger = TargetDown\nAND ~l =~ \"" + strings.Repeat("a{1000}", 140) + `"`,
			want:  `2:5: query too costly: the regular expression at 2:11 expands to 140006 instructions; the whole query may cost at most 131072, and costs 140008 up to here`,
		},
		{
			name:  "many classes, refused before they are parsed",
			query: `~l =~ "[` + strings.Repeat(`\\pL`, 1400) + `]"`,
			want:  `1:1: query too costly: the regular expression at 1:7 names 1400 Unicode classes: a cost of 140000; the whole query may cost at most 131072, and costs 140001 up to here`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := mql.Parse(tt.query)
			require.Error(t, err, "parsed as %s", q)
			require.Equal(t, tt.want, err.Error())
			var pe *mql.ParseError
			require.True(t, errors.As(err, &pe))
			require.Equal(t, tt.want, fmt.Sprintf("%d:%d: %s", pe.Pos.Line, pe.Pos.Column, pe.Msg))
		})
	}
}

func TestCostLimitRefusesMatchers(t *testing.T) {
	_, err := mql.ParseMatchers(`{alertname="TargetDown", instance=~"\\pL{1000}\\pL{1000}"}`)
	require.EqualError(t, err, `mql: alertmanager matchers: ~instance =~ "\\pL{1000}\\pL{1000}": query too costly: `+
		`the regular expression on ~instance expands to 2006 instructions, tests 1318000 ranges of characters and names 2 Unicode classes: `+
		`a cost of 134006; the whole query may cost at most 131072, and costs 134008 up to here`)
	var pe *mql.ParseError
	require.True(t, errors.As(err, &pe))

	ms := make(amlabels.Matchers, mql.MaxQueryCost+1)
	for i := range ms {
		m, err := amlabels.NewMatcher(amlabels.MatchEqual, "instance", fmt.Sprintf("host-%d", i))
		require.NoError(t, err)
		ms[i] = m
	}
	_, err = mql.FromMatchers(ms)
	require.EqualError(t, err, `mql: alertmanager matchers: ~instance = "host-131072": query too costly: it costs 131073 up to here, `+
		`and the whole query may cost at most 131072; every predicate costs 1`)
	require.True(t, errors.As(err, &pe))

	_, err = mql.ParseMatchers(`{instance=~"` + strings.Repeat("a", mql.MaxQueryBytes) + `"}`)
	require.EqualError(t, err, fmt.Sprintf("mql: alertmanager matchers: %d bytes is longer than the limit of %d", mql.MaxQueryBytes+14, mql.MaxQueryBytes))
}

// allocated returns the bytes that f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestCostlyQueryRefusedBeforeCompiling checks that the longest query of a
// costly regular expression is refused without compiling its copies, by
// what refusing it allocates: no more than parsing a query as long without
// regular expressions, and compiling the copies that fit in MaxQueryCost.
func TestCostlyQueryRefusedBeforeCompiling(t *testing.T) {
	const pred = `label=~"\\pL{1,64}"` // costs 4451
	query := longestOrQuery(pred)
	one := allocated(func() {
		_, err := mql.Parse(pred)
		require.NoError(t, err)
	})
	grammar := allocated(func() {
		_, err := mql.Parse(strings.ReplaceAll(query, "=~", "= "))
		require.NoError(t, err)
	})
	var err error
	all := allocated(func() { _, err = mql.Parse(query) })
	require.ErrorContains(t, err, "query too costly")
	fit := uint64(mql.MaxQueryCost/4451 + 1)
	require.Less(t, all, grammar+2*fit*one, "bytes allocated to refuse the query, of %d to parse it without regular expressions and %d to compile one", grammar, one)
}
