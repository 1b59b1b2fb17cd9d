package mql

import (
	"math/rand/v2"
	"regexp"
	"testing"
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
	}
	inputs := []string{"value-1", "value-", "value-12x", "prod-eu-1", "prod-us-12", "abbbc", "ac", "abd", "abdxx", "Москва", "Моск1", "a1", "a", "ab", "value-abc", "value-a.b", "value-1\n", "123", "", "abc-09", "Москва1", "Москabc", "Москá", "x1", "PROD-1", "prod", "stage", "dev", "Prod", "prodx", "static", "static.", "static.example.com",
		"staticXexample.com", "static\nline", "static.x\n", "a|b", "c", "a", "Москва", "Моск", "\n", "ab\xff"}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "c", "p", "r", "o", "d", ".", "|", "\n", "s", "t", "\xff", "М", "1", "-", "value-", "z", "9", "A", "Z", "_", "\x00", "é"}
	for range 300 {
		var s string
		for range rng.IntN(8) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, s)
	}
	for _, p := range patterns {
		re := regexp.MustCompile("^(?:" + p.re + ")$")
		pr := &pred{op: OpRegexp}
		if err := pr.setRegexp(p.re); err != nil {
			t.Fatal(err)
		}
		if pr.test != p.test {
			t.Errorf("%q: test %d, want %d", p.re, pr.test, p.test)
		}
		for _, in := range inputs {
			if got, want := pr.text(in), re.MatchString(in); got != want {
				t.Errorf("%q on %q: %v, regexp says %v", p.re, in, got, want)
			}
		}
	}
}
