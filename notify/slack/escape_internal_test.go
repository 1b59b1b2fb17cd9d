package slack

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEsc(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"fits", "a<b>&c", 100, "a&lt;b&gt;&amp;c"},
		{"exactly", "a&b", 7, "a&amp;b"},
		{"cut before an entity", "a&b", 6, "a…"},
		{"cut after an entity", "&&&&", 7, "&amp;…"},
		{"nothing fits", "&&", 3, "…"},
		{"one", "abc", 1, "…"},
		{"zero", "abc", 0, ""},
		{"non-ASCII", "Цель недоступна", 6, "Цель …"},
		{"two units an emoji", "😀😀😀", 5, "😀😀…"},
		{"an emoji does not fit", "😀😀", 2, "…"},
		{"mention", "<!channel>", 100, "&lt;!channel&gt;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := esc(tc.in, tc.n); got != tc.want {
				t.Errorf("esc(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
	if got := cut("<b>héllo</b>", 5); got != "<b>h…" {
		t.Errorf("cut = %q", got)
	}
}

func TestLinkURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/a?b=1&c=2":          "https://example.com/a?b=1&amp;c=2",
		"http://example.com/x|y":                 "http://example.com/x%7Cy",
		"https://example.com/<script>":           "https://example.com/%3Cscript%3E",
		"javascript:alert(1)":                    "",
		"/relative":                              "",
		"mailto:ops@example.com":                 "",
		"https://":                               "",
		"https://example.com/\nnewline":          "",
		"https://example.com/" + long("a", 3000): "",
	} {
		if got := linkURL(in); got != want {
			t.Errorf("linkURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func long(s string, n int) string { return strings.Repeat(s, n) }

var wholeEntities = regexp.MustCompile(`&(amp|lt|gt);`)

// esc never yields more than n units, a < or >, or a broken entity.
func FuzzEsc(f *testing.F) {
	f.Add("a<b>&c", 5)
	f.Add("&&&&&&", 7)
	f.Add("😀<😀>", 3)
	f.Add("\xff<", 2)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 5000
		got := esc(s, n)
		if size(got) > max(n, 0) {
			t.Errorf("esc(%q, %d) = %q: %d units", s, n, got, size(got))
		}
		if strings.ContainsAny(got, "<>") {
			t.Errorf("esc(%q, %d) = %q: markup", s, n, got)
		}
		if strings.Contains(wholeEntities.ReplaceAllString(got, ""), "&") {
			t.Errorf("esc(%q, %d) = %q: a broken entity", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("esc(%q, %d) = %q: invalid UTF-8", s, n, got)
		}
	})
}
