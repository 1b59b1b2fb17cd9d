package alert_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alertkit/alertkit/alert"
)

// The corpora in testdata/fuzz/<FuzzName>/ hold the captured payloads,
// malformed variants of them, and payloads with some invalid alerts.

// fuzzOpts keeps limits small so that the fuzzer reaches them.
var fuzzOpts = alert.DecodeOptions{
	MaxBytes: 64 << 10, MaxAlerts: 50, MaxLabels: 20,
	MaxLabelNameBytes: 32, MaxLabelValueBytes: 64, MaxAnnotationBytes: 128,
	Now: func() time.Time { return t0 },
}

// wholeOpts is fuzzOpts with invalid alerts refusing the payload whole.
var wholeOpts = func() alert.DecodeOptions { o := fuzzOpts; o.WholeOrNothing = true; return o }()

// checkDecoded is the contract of every decoder on any input. n is how many
// alerts the payload holds when it reads as JSON of the right shape, else -1;
// itemPath is the path of the alert at an index. Either:
//
//   - no error, and all n alerts, each valid;
//   - a *RejectedError, and every alert of the payload either returned, and
//     valid, or rejected, exactly once, with a reason at its own path;
//   - an error of the payload as a whole that says what was wrong and where,
//     and no alerts.
func checkDecoded(t *testing.T, n int, itemPath func(int) string, alerts []alert.Alert, err error) {
	t.Helper()
	var rej *alert.RejectedError
	switch {
	case errors.As(err, &rej):
		if n < 0 {
			t.Fatalf("rejections from a payload that does not read: %v", err)
		}
		if rej.Total != n {
			t.Fatalf("%v: Total %d, want the %d alerts of the payload", err, rej.Total, n)
		}
		if len(rej.Rejections) == 0 {
			t.Fatalf("a RejectedError that rejects nothing")
		}
		if len(alerts)+len(rej.Rejections) != n {
			t.Fatalf("%d alerts returned and %d rejected, of %d", len(alerts), len(rej.Rejections), n)
		}
		last := -1
		for _, r := range rej.Rejections {
			if r.Index <= last || r.Index >= n {
				t.Fatalf("rejection of index %d after %d, of %d alerts: %v", r.Index, last, n, err)
			}
			last = r.Index
			checkReason(t, r.Err)
			if p := itemPath(r.Index); !strings.HasPrefix(r.Err.Error(), p) {
				t.Fatalf("rejection of index %d does not start with %q: %v", r.Index, p, r.Err)
			}
		}
		if s := err.Error(); len(s) > 4<<10 {
			t.Fatalf("error of %d bytes: %.200s...", len(s), s)
		}
	case err != nil:
		if alerts != nil {
			t.Fatalf("error %q with %d alerts: a payload refused whole gives none", err, len(alerts))
		}
		checkReason(t, err)
		return
	default:
		if len(alerts) != n {
			t.Fatalf("%d alerts decoded from a payload of %d", len(alerts), n)
		}
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

// checkReason checks that err is typed, names where, and speaks of the
// payload rather than of Go.
func checkReason(t *testing.T, err error) {
	t.Helper()
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
}

// checkWhole checks the decoder with WholeOrNothing against its default:
// the same alerts when none was refused, else an error of one of the
// refused alerts (sameReason) or of the payload, and no alerts.
func checkWhole(t *testing.T, alerts []alert.Alert, err error, whole []alert.Alert, wholeErr error, sameReason bool) {
	t.Helper()
	var rej *alert.RejectedError
	if errors.As(wholeErr, &rej) {
		t.Fatalf("whole or nothing, and alerts rejected one by one: %v", wholeErr)
	}
	switch {
	case err == nil:
		if wholeErr != nil {
			t.Fatalf("whole or nothing refuses what is taken by default: %v", wholeErr)
		}
		if !reflect.DeepEqual(alerts, whole) {
			t.Fatalf("whole or nothing decodes other alerts")
		}
	case errors.As(err, &rej):
		if wholeErr == nil || whole != nil {
			t.Fatalf("whole or nothing takes %d alerts of a payload with rejections (%v)", len(whole), err)
		}
		if !sameReason {
			return
		}
		for _, r := range rej.Rejections {
			if r.Err.Error() == wholeErr.Error() {
				return
			}
		}
		t.Fatalf("whole or nothing refuses with %q, which is none of %q", wholeErr, err)
	default:
		if wholeErr == nil || wholeErr.Error() != err.Error() {
			t.Fatalf("a payload refused whole by default (%v) is refused otherwise: %v", err, wholeErr)
		}
	}
}

// arrayLen is the length of data as a JSON array, or -1.
func arrayLen(data []byte) int {
	var elems []json.RawMessage
	if json.Unmarshal(data, &elems) != nil {
		return -1
	}
	return len(elems)
}

func indexPath(i int) string { return "[" + strconv.Itoa(i) + "]" }

func FuzzDecodeWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, alerts, err := alert.DecodeWebhook(bytes.NewReader(data), &fuzzOpts)
		n := -1
		var env struct {
			Alerts []json.RawMessage `json:"alerts"`
		}
		if json.Unmarshal(data, &env) == nil {
			n = len(env.Alerts)
		}
		checkDecoded(t, n, func(i int) string { return "alerts" + indexPath(i) }, alerts, err)
		if (msg == nil) != (alerts == nil) {
			t.Fatalf("message %v with %d alerts (%v)", msg != nil, len(alerts), err)
		}
		if msg != nil && len(msg.Alerts) != len(alerts) {
			t.Fatalf("%d alerts in the message, %d decoded", len(msg.Alerts), len(alerts))
		}
		wholeMsg, whole, wholeErr := alert.DecodeWebhook(bytes.NewReader(data), &wholeOpts)
		// A message that gives "alerts" twice is read with the last, by
		// default, and refused whole for an error in any.
		checkWhole(t, alerts, err, whole, wholeErr, false)
		if (wholeMsg == nil) != (wholeErr != nil) {
			t.Fatalf("whole or nothing: message %v, error %v", wholeMsg != nil, wholeErr)
		}
	})
}

func FuzzDecodePrometheus(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		alerts, err := alert.DecodePrometheus(bytes.NewReader(data), &fuzzOpts)
		checkDecoded(t, arrayLen(data), indexPath, alerts, err)
		whole, wholeErr := alert.DecodePrometheus(bytes.NewReader(data), &wholeOpts)
		checkWhole(t, alerts, err, whole, wholeErr, true)
	})
}

func FuzzDecodeEvents(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		alerts, err := alert.DecodeEvents(bytes.NewReader(data), &fuzzOpts)
		n, path := arrayLen(data), indexPath
		if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
			n, path = -1, func(int) string { return "" }
			if json.Valid(data) {
				n = 1
			}
		}
		checkDecoded(t, n, path, alerts, err)
		whole, wholeErr := alert.DecodeEvents(bytes.NewReader(data), &wholeOpts)
		checkWhole(t, alerts, err, whole, wholeErr, true)
	})
}
