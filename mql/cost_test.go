package mql

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// compiledSize returns the size of the program that the regexp package
// compiles for v, anchored as =~ anchors it.
func compiledSize(t testing.TB, v string) regexpSize {
	t.Helper()
	tree, err := syntax.Parse(anchor(v), syntax.Perl)
	require.NoError(t, err)
	prog, err := syntax.Compile(tree.Simplify())
	require.NoError(t, err)
	var s regexpSize
	for _, inst := range prog.Inst {
		s.insts++
		s.ranges += int64(len(inst.Rune) / 2)
	}
	return s
}

// TestRegexpSizeBoundsProgram checks that the estimate of a regular
// expression's program, made without expanding it, is never below the
// program compiled, so that no regular expression costs more to compile
// than the limit counts, and not far above it, so that the limit refuses
// no more than it means to.
func TestRegexpSizeBoundsProgram(t *testing.T) {
	for _, v := range []string{
		``, `a`, `checkout`, `(?i)checkout`, `checkout|payments|cart`, `checkout|checkin`,
		`db-[0-9]+\.prod`, `instance-[0-9]{1,3}`, `.*`, `(?s).*`, `.+`, `a?`, `(a)`, `(?:a)`,
		`[a-z0-9-]+`, `[^a]`, `\pL`, `\PL`, `(?i)\pL`, `[\pL\pN]`, `\pL{1,64}`, `\pL{0,64}`, `\pL{64}`,
		`\pL{64,}`, `\pL{1000}`, `a{1000}`, `a{0}`, `a{0,0}`, `a{1}`, `a{1,}`, `a{0,}`, `(a*)*`, `(a*){3}`,
		`(a|b*){2,5}`, `((a{10}){10}){10}`, `(\pL{10}|\pN{10}){10}`, `^a$`, `\ba\B`, `(?m)^a$`, `\A\z`,
		`[^\x00-\x{10FFFF}]`, `a)|(b`, `(a)(b)(c)`, `(?P<name>a+)`, `a+?b*?c??`, `\d\s\w\D\S\W`,
		`[[:alpha:]]+`, `\p{Greek}+`, `(?i)[a-zа-я]{1,32}`, `(x?){100}`, `(a|)+`, "\uFFFD.*",
	} {
		t.Run(v, func(t *testing.T) {
			tree, err := parseRegexp(v)
			require.NoError(t, err)
			got, want := tree.size, compiledSize(t, v)
			require.GreaterOrEqual(t, got.insts, want.insts, "instructions")
			require.GreaterOrEqual(t, got.ranges, want.ranges, "ranges")
			require.LessOrEqual(t, got.insts, 2*want.insts, "instructions")
			require.LessOrEqual(t, got.ranges, 2*want.ranges+2, "ranges")
		})
	}
}

// regexpCost returns the cost of the regular expression v, as compiling a
// query counts it.
func regexpCost(t testing.TB, v string) int64 {
	t.Helper()
	tree, err := parseRegexp(v)
	require.NoError(t, err)
	return tree.size.plus(regexpSize{named: namedClasses(v)}).cost()
}

// TestRegexpCost pins the costs that MaxQueryCost's documentation quotes,
// and a few more.
func TestRegexpCost(t *testing.T) {
	tests := []struct {
		re   string
		want int64
	}{
		{`checkout|payments|cart`, 28},
		{`db-[0-9]+\.prod`, 16},
		{`\pL{1,64}`, 4450},
		{`\pL{1000}`, 67006},
		{`a{1000}`, 1006}, // a literal tests no range
		{`Postgres.*`, 17},
		{``, 7},
		{`[\pL\pN]`, 200 + 7 + 74},
		{`\p{^Greek}`, 100 + 7 + 3},
		{`\\pL`, 9}, // a backslash, then p and L
		{`\\\pL`, 100 + 8 + 65},
	}
	for _, tt := range tests {
		t.Run(tt.re, func(t *testing.T) {
			require.Equal(t, tt.want, regexpCost(t, tt.re))
		})
	}
}

// TestParseRegexpErrorsAsCompiling checks that a regular expression that
// does not parse is refused with the error that compiling it gives.
func TestParseRegexpErrorsAsCompiling(t *testing.T) {
	for _, v := range []string{`[`, `a(b`, `(?<name`, `\`, `a{1001}`, `(a{100}){100}`, "\xff"} {
		t.Run(v, func(t *testing.T) {
			_, want := regexp.Compile(anchor(v))
			require.Error(t, want)
			_, err := parseRegexp(v)
			require.Error(t, err)
			require.Equal(t, reason(want), reason(err))
		})
	}
}

// FuzzRegexpCost checks, on any regular expression that compiles, that the
// estimate of its program is never below the program compiled, and that
// one without repeat counts or Unicode classes costs less than 2 per byte,
// as MaxQueryCost's documentation says.
func FuzzRegexpCost(f *testing.F) {
	for _, v := range []string{`\pL{1,64}`, `(a|b*){2,5}`, `((a{10}){10}){10}`, `(?i)[a-z]+`, `a)|(b`, `(x?){100}`, `()*()*`, `.*(.)*`} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if _, err := regexp.Compile(anchor(v)); err != nil {
			return
		}
		tree, err := parseRegexp(v)
		if err != nil {
			t.Fatalf("%q compiles but does not parse: %v", v, err)
		}
		want := compiledSize(t, v)
		if tree.size.insts < want.insts || tree.size.ranges < want.ranges {
			t.Fatalf("%q: estimated %+v, compiled %+v", v, tree.size, want)
		}
		if plain := !strings.ContainsAny(v, "{") && namedClasses(v) == 0; plain {
			// Anchoring, and the instruction of an empty expression, add
			// progCost+1 to a predicate of at least 5 bytes: a=~"".
			if cost := regexpCost(t, v); cost > 2*int64(len(v))+progCost+1 {
				t.Fatalf("%q of %d bytes, without repeat counts or Unicode classes, costs %d", v, len(v), cost)
			}
		}
	})
}
