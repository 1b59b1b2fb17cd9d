package telegram_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify/telegram"
)

// sampleHTML has every construct a message may have: nested tags, links,
// entities named and numeric, characters outside the BMP, code blocks
// with a language, quotes and spoilers, long lines and short ones.
const sampleHTML = `🔥 <b>S2 · TargetDown &amp; <i>more</i></b>
<i>a note with &lt;markup&gt; and &#34;quotes&#34;</i>

<a href="https://alerts.example.com/incidents/1?a=1&amp;b=2">Incident <b>01KAV7</b> 🔗</a> · <u>under</u> <s>struck</s> <tg-spoiler>spoiler</tg-spoiler> <span class="tg-spoiler">also</span>
job: <code>checkout &lt;b&gt;&amp;amp;&lt;/b&gt; &#x1F525;</code>
<pre><code class="language-go">if x &lt; 1 {
	return
}</code></pre>
<blockquote expandable>a long quote that goes on and on, with words to break at</blockquote>
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
`

var countPattern = regexp.MustCompile(`…((?:</[a-z-]+>)*)\n<i>\((at least )?(\d+) more characters\)</i>$`)

// TestFitEverywhere cuts a message at every length: the result is valid
// HTML within the limit, shows the start of the message, and counts what
// it left out exactly.
func TestFitEverywhere(t *testing.T) {
	in := strings.Repeat(sampleHTML, 3)
	shown := []rune(visible(in))
	total := len(utf16.Encode(shown))
	for limit := 40; limit <= total+1; limit++ {
		out, err := telegram.Fit(in, limit, false)
		require.NoError(t, err)
		if err := checkHTML(out, limit); err != nil {
			t.Fatalf("limit %d: %v\n%s", limit, err, out)
		}
		if limit >= total {
			require.Equal(t, in, out, "limit %d: cut a message that fits", limit)
			continue
		}
		m := countPattern.FindStringSubmatch(out)
		require.NotNil(t, m, "limit %d: no count at the end of %q", limit, out)
		require.Empty(t, m[2])
		kept := []rune(visible(strings.TrimSuffix(out, m[0])))
		require.Equal(t, string(shown[:len(kept)]), string(kept), "limit %d: the start of the message changed", limit)
		left, _ := strconv.Atoi(m[3])
		require.Equal(t, len(shown)-len(kept), left, "limit %d: the count is wrong", limit)
		require.Greater(t, len(utf16.Encode(kept)), limit-200, "limit %d: cut too short", limit)
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		lossy bool
		want  string
	}{
		{"fits", "<b>ab</b>cd", 4, false, "<b>ab</b>cd"},
		{"fits, but labels were cut", "<b>ab</b>cd", 100, true,
			"<b>ab</b>cd\n<i>(labels and lists cut)</i>"},
		{"at a line's end", strings.Repeat("line one\n", 10), 60, false,
			"line one\nline one\nline one\nline one…\n<i>(55 more characters)</i>"},
		{"at a word's end", "<b>" + strings.Repeat("word ", 100) + "</b>", 400, false,
			"<b>" + strings.Repeat("word ", 74) + "word…</b>\n<i>(126 more characters)</i>"},
		{"inside a word when no space is near", "<b>" + strings.Repeat("word ", 20) + "</b>", 40, false,
			"<b>word word word wo…</b>\n<i>(83 more characters)</i>"},
		{"an entity kept whole", strings.Repeat("&amp;", 100), 40, false,
			strings.Repeat("&amp;", 17) + "…\n<i>(83 more characters)</i>"},
		{"an emoji kept whole", strings.Repeat("🔥", 100), 40, false,
			strings.Repeat("🔥", 8) + "…\n<i>(92 more characters)</i>"},
		{"a link cut", strings.Repeat("x", 14) + `<a href="https://example.com/">link</a>` + strings.Repeat("y", 100), 40, false,
			strings.Repeat("x", 14) + `<a href="https://example.com/">lin…</a>` + "\n<i>(101 more characters)</i>"},
		{"an empty link dropped", strings.Repeat("x", 17) + `<a href="https://example.com/">link</a>` + strings.Repeat("y", 100), 40, false,
			strings.Repeat("x", 17) + "…\n<i>(104 more characters)</i>"},
		{"open tags closed", `<blockquote><b>bold <i>` + strings.Repeat("i", 100) + `</i></b></blockquote>`, 40, false,
			`<blockquote><b>bold <i>` + strings.Repeat("i", 12) + `…</i></b></blockquote>` + "\n<i>(88 more characters)</i>"},
		{"lossy", strings.Repeat("z", 100), 40, true,
			strings.Repeat("z", 8) + "…\n<i>(at least 92 more characters)</i>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := telegram.Fit(tt.in, tt.limit, tt.lossy)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.NoError(t, checkHTML(got, tt.limit))
		})
	}
}

// TestFitRefuses: HTML Telegram would not parse is an error, not cut.
func TestFitRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b>bold", "<b> is not closed"},
		{"bold</b>", "byte 4: </b> closes nothing"},
		{"<b><i>x</b></i>", "byte 7: </b> closes <i>"},
		{"a < b", "byte 2: a < that starts no tag"},
		{"a > b", "byte 2: a > outside a tag"},
		{"a & b", "byte 2: an & that starts no entity"},
		{"a&nbsp;b", "byte 1: an & that starts no entity Telegram knows"},
		{"&#0;", "byte 0: a numeric entity that is no character"},
		{"&#xD800;", "byte 0: a numeric entity that is no character"},
		{`<a href="x>y</a>`, `byte 0: <a has an unterminated attribute value`},
		{`<a href="<b>">y</a>`, `byte 0: <a has a < in an attribute value`},
		{"<b", "byte 0: <b is not ended by >"},
		{"</b x>", "byte 0: </b is not ended by >"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := telegram.Fit(tt.in, 4096, false)
			assert.EqualError(t, err, tt.want)
		})
	}
}

// FuzzFit: whatever HTML the tokenizer takes, a cut of it is HTML it takes
// again, within the limit.
func FuzzFit(f *testing.F) {
	f.Add(sampleHTML, 60)
	f.Add("<b>a &amp; b</b>\n<i>🔥🔥🔥</i>", 45)
	f.Add(strings.Repeat("<u>x</u> ", 40), 50)
	f.Fuzz(func(t *testing.T, in string, limit int) {
		limit = 60 + abs(limit)%5000
		out, err := telegram.Fit(in, limit, false)
		if err != nil {
			return
		}
		again, err := telegram.Fit(out, 1<<30, false)
		if err != nil {
			t.Fatalf("the cut of %q is not HTML: %v\n%q", in, err, out)
		}
		if again != out {
			t.Fatalf("fitting changed a message that fits")
		}
		if n := len(utf16.Encode([]rune(visible(out)))); n > limit && out != in {
			t.Fatalf("%d characters, limit %d: %q", n, limit, out)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
