package notifytest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alertkit/alertkit/notify"
)

// SecretsHidden checks that v — a sender, its configuration, anything that
// holds secrets — shows none of them however it is printed, logged or
// marshalled:
//
//   - fmt's %v, %+v, %#v, %s, %q, %x, %X and %d, of v itself and of v in a
//     slice, a map and an exported field of a struct (not %p, which fmt
//     answers without asking v);
//   - slog's TextHandler and JSONHandler, v as an attribute's value, in a
//     group, and under a logger's group;
//   - encoding/json, if v marshals.
//
// A secret counts as shown in its text, in hex, quoted (with Go's or
// JSON's escapes) and in base64. A failure names the secret by its
// position among secrets and the forms that showed it, with an example
// where every secret is masked: a test's log never shows one either.
// Empty secrets are skipped.
//
// fmt asks a value how to print itself through its methods — String,
// GoString, Format — but reads unexported fields as they are: a sender
// that keeps secrets in unexported fields describes itself instead, as
// notify.Redacted helps it to.
func SecretsHidden(t testing.TB, v any, secrets ...string) {
	t.Helper()
	m := newMatcher(secrets)
	if m == nil {
		return
	}
	shown := make([][]string, len(secrets)) // by secret: the forms that showed it
	example := make([]string, len(secrets))
	for form, out := range printed(v) {
		for _, i := range m.find(out) {
			if shown[i] == nil {
				example[i] = form + ": " + m.mask(out)
			}
			shown[i] = append(shown[i], form)
		}
	}
	for i, forms := range shown {
		if forms != nil {
			t.Errorf("secret %d of %d shows in %d forms (%s); first, %s", i+1, len(secrets), len(forms), strings.Join(forms, ", "), clip(example[i]))
		}
	}
}

// printed yields v printed, logged and marshalled in every form that
// SecretsHidden checks, by the form's name.
func printed(v any) iter.Seq2[string, string] {
	return func(yield func(form, out string) bool) {
		type holder struct{ Value any }
		within := []struct {
			name string
			v    any
		}{
			{"", v},
			{" in a slice", []any{v}},
			{" in a map", map[string]any{"key": v}},
			{" in a struct's field", holder{v}},
		}
		for _, w := range within {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
				if !yield("fmt "+verb+w.name, fmt.Sprintf(verb, w.v)) {
					return
				}
			}
		}
		handlers := []struct {
			name string
			new  func(b *bytes.Buffer) slog.Handler
		}{
			{"slog TextHandler", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
			{"slog JSONHandler", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
		}
		for _, h := range handlers {
			logs := []struct {
				name string
				log  func(l *slog.Logger)
			}{
				{"", func(l *slog.Logger) { l.Info("sending", "value", v) }},
				{" in a group", func(l *slog.Logger) { l.Info("sending", slog.Group("group", "value", v)) }},
				{" under a logger's group", func(l *slog.Logger) { l.WithGroup("group").Info("sending", "value", v) }},
			}
			for _, lg := range logs {
				var b bytes.Buffer
				lg.log(slog.New(h.new(&b)))
				if !yield(h.name+lg.name, b.String()) {
					return
				}
			}
		}
		if js, err := json.Marshal(v); err == nil {
			yield("json.Marshal", string(js))
		}
	}
}

// matcher finds secrets in text, in the encodings that printing gives
// them.
type matcher struct {
	forms [][]string // by secret
}

func newMatcher(secrets []string) *matcher {
	m := &matcher{forms: make([][]string, len(secrets))}
	some := false
	for i, s := range secrets {
		if s == "" {
			continue
		}
		some = true
		js, _ := json.Marshal(s)
		forms := []string{
			s,
			hex.EncodeToString([]byte(s)),
			strings.ToUpper(hex.EncodeToString([]byte(s))),
			unquote(strconv.Quote(s)),
			unquote(strconv.QuoteToASCII(s)),
			unquote(string(js)),
			base64.StdEncoding.EncodeToString([]byte(s)),
		}
		for _, f := range forms {
			if f != "" && !slices.Contains(m.forms[i], f) {
				m.forms[i] = append(m.forms[i], f)
			}
		}
	}
	if !some {
		return nil
	}
	return m
}

// find returns the positions of the secrets that show in out.
func (m *matcher) find(out string) []int {
	var found []int
	for i, forms := range m.forms {
		for _, f := range forms {
			if strings.Contains(out, f) {
				found = append(found, i)
				break
			}
		}
	}
	return found
}

// mask replaces every secret in out by "<secret N>", N its position.
func (m *matcher) mask(out string) string {
	for i, forms := range m.forms {
		for _, f := range forms {
			out = strings.ReplaceAll(out, f, "<secret "+strconv.Itoa(i+1)+">")
		}
	}
	return out
}

func unquote(q string) string { return q[1 : len(q)-1] }

// clip keeps an example short enough to read in a test's log.
func clip(s string) string { return notify.Truncate(strings.TrimSpace(s), 600) }
