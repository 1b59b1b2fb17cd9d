package alert_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alertkit/alertkit/alert"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/: the captured payloads,
// and malformed variants of them.

// fuzzOpts keeps limits small so that the fuzzer reaches them.
var fuzzOpts = &alert.DecodeOptions{MaxBytes: 64 << 10, MaxAlerts: 50, MaxLabels: 20, Now: func() time.Time { return t0 }}

// checkDecoded is the contract of every decoder on any input: either a
// batch of alerts that all validate, or no alerts and an error that says
// what was wrong and where.
func checkDecoded(t *testing.T, alerts []alert.Alert, err error) {
	t.Helper()
	if err != nil {
		if alerts != nil {
			t.Fatalf("error %q with %d alerts: a payload is refused whole", err, len(alerts))
		}
		var fe *alert.FieldError
		var se *alert.SyntaxError
		var le *alert.LimitError
		if !errors.As(err, &fe) && !errors.As(err, &se) && !errors.As(err, &le) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if fe != nil && fe.Path == "" {
			t.Fatalf("field error without a path: %v", err)
		}
		if strings.Contains(err.Error(), "json: ") || strings.Contains(err.Error(), "Go value") {
			t.Fatalf("error speaks of Go rather than of the payload: %v", err)
		}
		return
	}
	for i := range alerts {
		if verr := alerts[i].Validate(); verr != nil {
			t.Fatalf("decoded alert %d does not validate: %v", i, verr)
		}
		if alerts[i].UpdatedAt != t0 {
			t.Fatalf("alert %d: UpdatedAt %v, want the time of receipt", i, alerts[i].UpdatedAt)
		}
		alerts[i].StateAt(t0) // defined for every alert
	}
}

func FuzzDecodeWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, alerts, err := alert.DecodeWebhook(bytes.NewReader(data), fuzzOpts)
		checkDecoded(t, alerts, err)
		if err == nil && len(msg.Alerts) != len(alerts) {
			t.Fatalf("%d alerts in the message, %d decoded", len(msg.Alerts), len(alerts))
		}
	})
}

func FuzzDecodePrometheus(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		alerts, err := alert.DecodePrometheus(bytes.NewReader(data), fuzzOpts)
		checkDecoded(t, alerts, err)
	})
}

func FuzzDecodeEvents(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		alerts, err := alert.DecodeEvents(bytes.NewReader(data), fuzzOpts)
		checkDecoded(t, alerts, err)
	})
}
