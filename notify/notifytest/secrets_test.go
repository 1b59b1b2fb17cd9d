package notifytest_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// recorder is a testing.TB that keeps the failures it is told of.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// leaky keeps its token in an unexported field, which fmt prints as it is.
type leaky struct{ token notify.Secret }

// hexed prints its token in hex, and only in hex.
type hexed struct{ token string }

func (h hexed) String() string { return "token " + hex.EncodeToString([]byte(h.token)) }

// hidden keeps its token in an exported Secret.
type hidden struct{ Token notify.Secret }

func TestSecretsHidden(t *testing.T) {
	const token, other = "xoxb-0123456789-T0K3N", "an-unused-secret"
	tests := []struct {
		name string
		v    any
		fail bool
	}{
		{"an unexported field", &leaky{token: token}, true},
		{"hex", hexed{token: token}, true},
		{"an exported Secret", hidden{Token: token}, false},
		{"a Redacted", notify.Redacted{Type: "t.T"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			notifytest.SecretsHidden(r, tt.v, other, token, "")
			if got := len(r.failures) > 0; got != tt.fail {
				t.Fatalf("failed: %v, want %v: %q", got, tt.fail, r.failures)
			}
			for _, f := range r.failures {
				if strings.Contains(f, token) || strings.Contains(f, hex.EncodeToString([]byte(token))) {
					t.Errorf("the failure shows the secret: %s", f)
				}
				if !strings.HasPrefix(f, "secret 2 of 3 shows in ") {
					t.Errorf("the failure does not name the secret by its position: %s", f)
				}
			}
		})
	}
}
