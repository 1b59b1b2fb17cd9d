package notify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
)

const token = "xoxb-7Z1S4X7B2WQ5AR6KF"

func TestSecretUnderEveryVerb(t *testing.T) {
	s := notify.Secret(token)
	tests := []struct {
		format string
		want   string
	}{
		{"%v", "<secret>"},
		{"%+v", "<secret>"},
		{"%#v", `notify.Secret("<secret>")`},
		{"%s", "<secret>"},
		{"%q", `"<secret>"`},
		{"%x", "3c7365637265743e"},
		{"%X", "3C7365637265743E"},
		{"%d", "%!d(string=<secret>)"},
		{"%t", "%!t(string=<secret>)"},
		{"%10s", "  <secret>"},
		{"%.3s", "<se"},
		{"%T", "notify.Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			require.Equal(t, tt.want, fmt.Sprintf(tt.format, s))
			if tt.format != "%T" {
				require.Equal(t, tt.want, fmt.Sprintf(tt.format, &s), "a *Secret")
			}
		})
	}
	require.Empty(t, fmt.Sprint(notify.Secret("")), "an empty Secret prints as nothing")
}

func TestSecretInsideValues(t *testing.T) {
	s := notify.Secret(token)
	type config struct {
		Token   notify.Secret
		Ptr     *notify.Secret
		Headers map[string]notify.Secret
		Keys    []notify.Secret
		Nested  struct{ Password notify.Secret }
	}
	c := config{Token: s, Ptr: &s, Headers: map[string]notify.Secret{"X-Api-Key": s}, Keys: []notify.Secret{s}}
	c.Nested.Password = s
	tests := []struct {
		name string
		v    any
	}{
		{"a Secret", s},
		{"a *Secret", &s},
		{"a struct", c},
		{"a slice", []notify.Secret{s, s}},
		{"a map", map[string]notify.Secret{"token": s}},
		{"an array of structs", [1]config{c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notifytest.SecretsHidden(t, tt.v, token)
		})
	}
	t.Run("a pointer to a struct", func(t *testing.T) {
		// Inside a slice or a map, fmt prints a pointer to a struct
		// without methods, under %s or %q, without asking its fields:
		// only the forms a Secret decides are checked.
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			require.NotContains(t, fmt.Sprintf(format, &c), token, format)
		}
	})
	t.Run("a map's key", func(t *testing.T) {
		// encoding/json writes a key of a string type as it is, without
		// asking it: fmt only.
		m := map[notify.Secret]string{s: "v"}
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			require.NotContains(t, fmt.Sprintf(format, m), token, format)
		}
	})
}

func TestSecretMarshals(t *testing.T) {
	js, err := json.Marshal(struct {
		Token notify.Secret `json:"token"`
		Empty notify.Secret `json:"empty"`
	}{Token: token})
	require.NoError(t, err)
	require.JSONEq(t, `{"token":"<secret>","empty":""}`, string(js))

	var back struct {
		Token notify.Secret `json:"token"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"token":"`+token+`"}`), &back))
	require.Equal(t, token, back.Token.Reveal())
}

func TestRedacted(t *testing.T) {
	r := notify.Redacted{Type: "slack.Sender", Attrs: []slog.Attr{
		slog.String("url", "https://hooks.slack.com/…"), slog.String("channel", "#ops"), slog.String("note", "two words"), slog.String("empty", ""),
	}}
	tests := []struct {
		name   string
		v      any
		format string
		want   string
	}{
		{"%v", r, "%v", `slack.Sender{url=https://hooks.slack.com/… channel=#ops note="two words" empty=""}`},
		{"%s", r, "%s", `slack.Sender{url=https://hooks.slack.com/… channel=#ops note="two words" empty=""}`},
		{"%#v", r, "%#v", `&slack.Sender{url:"https://hooks.slack.com/…", channel:"#ops", note:"two words", empty:""}`},
		{"%q", notify.Redacted{Type: "t.T", Attrs: []slog.Attr{slog.String("a", "b")}}, "%q", `"t.T{a=b}"`},
		{"%x", notify.Redacted{Type: "t"}, "%x", "747b7d"},
		{"a Secret's value", notify.Redacted{Type: "t.T", Attrs: []slog.Attr{slog.Any("key", notify.Secret(token))}}, "%v", `t.T{key=<secret>}`},
		{"zero, %v", notify.Redacted{}, "%v", "<nil>"},
		{"zero, %#v", notify.Redacted{}, "%#v", "<nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, fmt.Sprintf(tt.format, tt.v))
		})
	}

	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("sent", "receiver", r)
	require.JSONEq(t, `{"level":"INFO","msg":"sent","receiver":{"type":"slack.Sender","url":"https://hooks.slack.com/…","channel":"#ops","note":"two words","empty":""}}`, b.String())
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// A type that keeps a secret in an unexported field describes itself with
// a Redacted: fmt would otherwise print the field as it is.
type sender struct {
	url   notify.Secret
	token notify.Secret
}

func (s *sender) redacted() notify.Redacted {
	return notify.Redacted{Type: "chat.Sender", Attrs: []slog.Attr{slog.String("url", notify.RedactURL(s.url.Reveal()))}}
}

func (s *sender) String() string                { return s.redacted().String() }
func (s *sender) GoString() string              { return s.redacted().GoString() }
func (s *sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }
func (s *sender) LogValue() slog.Value          { return s.redacted().LogValue() }

func ExampleRedacted() {
	s := &sender{url: "https://chat.example.com/hooks/T0K3N", token: "s3cr3t"}
	fmt.Printf("%v\n%#v\n%q\n", s, s, s)
	slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("sent", "receiver", s)
	// Output:
	// chat.Sender{url=https://chat.example.com/…}
	// &chat.Sender{url:"https://chat.example.com/…"}
	// "chat.Sender{url=https://chat.example.com/…}"
	// level=INFO msg=sent receiver.type=chat.Sender receiver.url=https://chat.example.com/…
}

func ExampleSecret() {
	cfg := struct {
		URL   string
		Token notify.Secret
	}{URL: "https://slack.com/api/", Token: "xoxb-123"}
	fmt.Printf("%v\n%+v\n%#v\n", cfg, cfg, cfg.Token)
	fmt.Println(cfg.Token.Reveal())
	// Output:
	// {https://slack.com/api/ <secret>}
	// {URL:https://slack.com/api/ Token:<secret>}
	// notify.Secret("<secret>")
	// xoxb-123
}
