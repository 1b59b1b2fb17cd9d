package mql

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// TestRegexpFormsAgreeWithRegexp checks that the shortcuts for common
// regular expressions decide exactly as the regexp package would.
func TestRegexpFormsAgreeWithRegexp(t *testing.T) {
	patterns := []struct {
		re   string
		test textTest
	}{
		{"static.example.com", testPrefixRegexp}, // the dots are wildcards
		{`static\.example\.com`, testEqual},
		{"prod", testEqual},
		{"", testEqual},
		{"prod|stage|dev", testSet},
		{"prod|", testSet},
		{`a\|b|c`, testRegexp},
		{"static.*", testPrefix},
		{`static\..*`, testPrefix},
		{".*", testPrefix},
		{"(?i)prod", testRegexp},
		{"prod.+", testPrefixRegexp},
		{"[0-9]+", testPrefixClass},
		{"[0-9]*", testPrefixClass},
		{`\d+`, testPrefixClass},
		{"[a-z0-9-]+", testPrefixClass},
		{"[^a-z]+", testRegexp},
		{"[a-zа-я]+", testRegexp},
		{"(?i)[a-p]+", testRegexp},
		{"(?i:value-)[0-9]+", testRegexp},
		{"value-[0-9]*", testPrefixClass},
		{"value-[a-z.]+", testPrefixClass},
		{"[0-9]+-x", testRegexp},
		{"x[0-9]", testPrefixRegexp},
		{"Моск.*", testPrefix},
		{"^prod$", testRegexp},
		{`a\d`, testPrefixRegexp},
		{"value-[0-9]+", testPrefixClass},
		{"prod-(eu|us)-[0-9]", testPrefixRegexp},
		{"(?i)prod-[0-9]", testRegexp},
		{"ab*c", testPrefixRegexp},
		{"a|ab", testSet},
		{"abc|abd.*", testPrefixRegexp},
		{"Моск[а-я]+", testPrefixRegexp},
		{"Моск[a-z]+", testPrefixClass},
		{`web-[0-9]+`, testPrefixClass},
		{`web\b.*`, testRegexp}, // \b reads the prefix's last character
		{`web\B[0-9]`, testRegexp},
		{`web(-|^)[0-9]`, testRegexp},
		{`(?m)web\n^[0-9]`, testRegexp},
		{`web\A`, testRegexp},
		{`web\z`, testPrefixRegexp}, // \z and $ look ahead only
		{`(?m)web$\n?`, testPrefixRegexp},
		{"\uFFFD", testRegexp}, // U+FFFD also matches a byte of invalid UTF-8
		{"\uFFFD.*", testRegexp},
		{"a|\uFFFD", testRegexp},
		{"\uFFFD[0-9]+", testRegexp},
		{"\uFFFDa(b|c)", testRegexp},
		{`\x{D800}a(b|c)`, testRegexp},
	}
	inputs := []string{"value-1", "value-", "value-12x", "prod-eu-1", "prod-us-12", "abbbc", "ac", "abd", "abdxx", "Москва", "Моск1", "a1", "a", "ab", "value-abc", "value-a.b", "value-1\n", "123", "", "abc-09", "Москва1", "Москabc", "Москá", "x1", "PROD-1", "prod", "stage", "dev", "Prod", "prodx", "static", "static.", "static.example.com",
		"staticXexample.com", "static\nline", "static.x\n", "a|b", "c", "a", "Москва", "Моск", "\n", "ab\xff",
		"web", "web1", "web-1", "web\n1", "web\n", "\xff", "\xff1", "\xffab", "\uFFFD", "\uFFFDab", "\uFFFD1"}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "c", "p", "r", "o", "d", ".", "|", "\n", "s", "t", "\xff", "М", "1", "-", "value-", "z", "9", "A", "Z", "_", "\x00", "é", "web", "\uFFFD"}
	for range 300 {
		var s string
		for range rng.IntN(8) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, s)
	}
	for _, p := range patterns {
		t.Run(p.re, func(t *testing.T) {
			re := regexp.MustCompile("^(?:" + p.re + ")$")
			pr := &pred{op: OpRegexp, label: "a"}
			tree, err := parseRegexp(p.re)
			require.NoError(t, err)
			require.NoError(t, pr.setRegexp(p.re, tree.alone))
			require.Equal(t, p.test, pr.test, "the test chosen")
			for _, in := range inputs {
				want := re.MatchString(in)
				if got := pr.text(in); got != want {
					t.Errorf("%q on %q: %v, regexp says %v", p.re, in, got, want)
				}
				if got := pr.matchSingle(&single{ls: model.LabelSet{"a": model.LabelValue(in)}}); got != want {
					t.Errorf("%q on %q, a label: %v, regexp says %v", p.re, in, got, want)
				}
			}
		})
	}
}

// TestRegexpShortcutsKeepContext checks regular expressions whose literal
// prefix a shortcut could split off wrongly: an assertion after the prefix
// reads the character before it, which the rest matched on its own would
// not see, and U+FFFD, which the regexp package also matches against a byte
// of invalid UTF-8, is not a prefix that bytes compare.
func TestRegexpShortcutsKeepContext(t *testing.T) {
	tests := []struct {
		name  string
		re    string
		input string
		want  bool
	}{
		{name: "word boundary after a prefix, before a dash", re: `web\b.*`, input: "web-1", want: true},
		{name: "word boundary after a prefix, before a digit", re: `web\b.*`, input: "web1", want: false},
		{name: "word boundary after a prefix, at the end", re: `web\b`, input: "web", want: true},
		{name: "no word boundary after a prefix, before a digit", re: `web\B.*`, input: "web1", want: true},
		{name: "no word boundary after a prefix, before a dash", re: `web\B.*`, input: "web-1", want: false},
		{name: "word boundary reached through an empty group", re: `web(x?)\b.*`, input: "web1", want: false},
		{name: "word boundary after a non-word prefix", re: `web-\b[0-9]+`, input: "web-1", want: true},
		{name: "begin line after a prefix", re: `web^.*`, input: "web1", want: false},
		{name: "multi-line begin line after a prefix", re: `(?m)web^.*`, input: "web1", want: false},
		{name: "multi-line begin line after a newline", re: `(?m)web\n^1`, input: "web\n1", want: true},
		{name: "begin text after a prefix", re: `web\A.*`, input: "web1", want: false},
		{name: "end text after a prefix", re: `web\z`, input: "web", want: true},
		{name: "multi-line end line after a prefix", re: `(?m)web$\n1`, input: "web\n1", want: true},
		{name: "replacement character literal on invalid UTF-8", re: "\uFFFD", input: "\xff", want: true},
		{name: "replacement character prefix on invalid UTF-8", re: "\uFFFD.*", input: "\xffx", want: true},
		{name: "replacement character in alternatives on invalid UTF-8", re: "a|\uFFFD", input: "\xff", want: true},
		{name: "replacement character before a class run", re: "\uFFFD[0-9]+", input: "\xff1", want: true},
		{name: "replacement character before a regexp", re: "\uFFFDa(b|c)", input: "\xffab", want: true},
		{name: "escaped replacement character before a class run", re: `\x{FFFD}[0-9]+`, input: "\xff1", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, regexp.MustCompile("^(?:"+tt.re+")$").MatchString(tt.input), "the regexp package")
			q, err := Parse("~a =~ " + strconv.Quote(tt.re))
			require.NoError(t, err)
			ls := model.LabelSet{"a": model.LabelValue(tt.input)}
			require.Equal(t, tt.want, q.MatchLabels(ls), "MatchLabels")
			require.Equal(t, tt.want, q.Match(single{ls: ls}), "Match")
		})
	}
}
