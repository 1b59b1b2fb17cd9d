package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify/webhook"
)

func TestSignature(t *testing.T) {
	// HMAC-SHA256 computed independently of the package.
	mac := hmac.New(sha256.New, []byte("key"))
	mac.Write([]byte("1795452730.{}"))
	require.Equal(t, "sha256="+hex.EncodeToString(mac.Sum(nil)), webhook.Signature([]byte("key"), "1795452730", []byte("{}")))
}

func TestVerify(t *testing.T) {
	key := []byte(signingKey)
	now := time.Unix(1795452730, 0)
	body := []byte(`{"version":"1","key":"01KAV7Z1S4X7B2WQ5AR6KF/opened"}`)
	stamp := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	ts := stamp(0)
	good := webhook.Signature(key, ts, body)
	tests := []struct {
		name      string
		key       []byte
		timestamp string
		signature string
		body      []byte
		tolerance time.Duration
		is        error
		err       string
	}{
		{name: "valid", timestamp: ts, signature: good},
		{name: "valid, upper-case hex", timestamp: ts, signature: "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256="))},
		{name: "valid, at the edge of the past", timestamp: stamp(-time.Minute), signature: webhook.Signature(key, stamp(-time.Minute), body), tolerance: time.Minute},
		{name: "valid, at the edge of the future", timestamp: stamp(time.Minute), signature: webhook.Signature(key, stamp(time.Minute), body), tolerance: time.Minute},
		{name: "valid, default tolerance", timestamp: stamp(-4 * time.Minute), signature: webhook.Signature(key, stamp(-4*time.Minute), body)},

		{name: "empty key", key: []byte{}, timestamp: ts, signature: good, err: "webhook: verify: empty key"},
		{name: "no timestamp", signature: good, is: webhook.ErrMalformed, err: "webhook: malformed signature: no timestamp"},
		{name: "timestamp not a number", timestamp: "yesterday", signature: good, is: webhook.ErrMalformed, err: `webhook: malformed signature: timestamp "yesterday" is not Unix seconds`},
		{name: "timestamp with a sign", timestamp: "+" + ts, signature: good, is: webhook.ErrMalformed, err: `webhook: malformed signature: timestamp "+1795452730" is not Unix seconds`},
		{name: "timestamp in milliseconds overflows", timestamp: "17954527300001234567890", signature: good, is: webhook.ErrMalformed, err: `webhook: malformed signature: timestamp "17954527300001234567890" is not Unix seconds`},
		{name: "long timestamp is clipped", timestamp: strings.Repeat("9", 40), signature: good, is: webhook.ErrMalformed, err: `webhook: malformed signature: timestamp "` + strings.Repeat("9", 31) + `…" is not Unix seconds`},
		{name: "no signature", timestamp: ts, is: webhook.ErrMalformed, err: "webhook: malformed signature: no signature"},
		{name: "no algorithm", timestamp: ts, signature: strings.TrimPrefix(good, "sha256="), is: webhook.ErrMalformed, err: `webhook: malformed signature: signature does not start with "sha256="`},
		{name: "another algorithm", timestamp: ts, signature: "sha1=" + strings.TrimPrefix(good, "sha256="), is: webhook.ErrMalformed, err: `webhook: malformed signature: signature does not start with "sha256="`},
		{name: "not hex", timestamp: ts, signature: "sha256=" + strings.Repeat("zz", 32), is: webhook.ErrMalformed, err: "webhook: malformed signature: signature is not 64 hex digits"},
		{name: "too short", timestamp: ts, signature: good[:len(good)-2], is: webhook.ErrMalformed, err: "webhook: malformed signature: signature is not 64 hex digits"},
		{name: "too long", timestamp: ts, signature: good + "00", is: webhook.ErrMalformed, err: "webhook: malformed signature: signature is not 64 hex digits"},
		{name: "wrong key", key: []byte("another key"), timestamp: ts, signature: good, is: webhook.ErrWrongSignature, err: "webhook: wrong signature"},
		{name: "altered body", timestamp: ts, signature: good, body: []byte(`{"version":"1","key":"01KAV7Z1S4X7B2WQ5AR6KF/resolved"}`), is: webhook.ErrWrongSignature, err: "webhook: wrong signature"},
		{name: "empty body", timestamp: ts, signature: good, body: []byte{}, is: webhook.ErrWrongSignature, err: "webhook: wrong signature"},
		{name: "altered timestamp", timestamp: stamp(time.Second), signature: good, is: webhook.ErrWrongSignature, err: "webhook: wrong signature"},
		{name: "a replay, too old", timestamp: stamp(-time.Hour), signature: webhook.Signature(key, stamp(-time.Hour), body), tolerance: 5 * time.Minute,
			is: webhook.ErrTooOld, err: "webhook: timestamp too old: signed at 2026-11-23T15:52:10Z, 1h0m0s before now, tolerance 5m0s"},
		{name: "just too old", timestamp: stamp(-61 * time.Second), signature: webhook.Signature(key, stamp(-61*time.Second), body), tolerance: time.Minute,
			is: webhook.ErrTooOld, err: "webhook: timestamp too old: signed at 2026-11-23T16:51:09Z, 1m1s before now, tolerance 1m0s"},
		{name: "too old for the default tolerance", timestamp: stamp(-6 * time.Minute), signature: webhook.Signature(key, stamp(-6*time.Minute), body),
			is: webhook.ErrTooOld, err: "webhook: timestamp too old: signed at 2026-11-23T16:46:10Z, 6m0s before now, tolerance 5m0s"},
		{name: "in the future", timestamp: stamp(10 * time.Minute), signature: webhook.Signature(key, stamp(10*time.Minute), body), tolerance: 5 * time.Minute,
			is: webhook.ErrInFuture, err: "webhook: timestamp in the future: signed at 2026-11-23T17:02:10Z, 10m0s after now, tolerance 5m0s"},
		{name: "a forged old request is wrong, not old", timestamp: stamp(-time.Hour), signature: good, is: webhook.ErrWrongSignature, err: "webhook: wrong signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := key
			if tt.key != nil {
				k = tt.key
			}
			b := body
			if tt.body != nil {
				b = tt.body
			}
			err := webhook.Verify(k, tt.timestamp, tt.signature, b, now, tt.tolerance)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.err)
			if tt.is != nil {
				require.ErrorIs(t, err, tt.is)
			}
			for _, other := range []error{webhook.ErrMalformed, webhook.ErrWrongSignature, webhook.ErrTooOld, webhook.ErrInFuture} {
				if other != tt.is {
					require.False(t, errors.Is(err, other), "%v is also %v", err, other)
				}
			}
		})
	}
}

// FuzzVerify: Verify never panics on what a consumer receives, and accepts
// only the signature of the body and timestamp.
func FuzzVerify(f *testing.F) {
	key := []byte(signingKey)
	f.Add("1795452730", webhook.Signature(key, "1795452730", []byte("{}")), []byte("{}"))
	f.Add("", "", []byte(nil))
	f.Add("-9223372036854775808", "sha256=", []byte("x"))
	f.Add("9223372036854775807", "sha256="+strings.Repeat("0", 64), []byte("x"))
	now := time.Unix(1795452730, 0)
	f.Fuzz(func(t *testing.T, timestamp, signature string, body []byte) {
		err := webhook.Verify(key, timestamp, signature, body, now, time.Hour)
		if err == nil && !strings.EqualFold(signature, webhook.Signature(key, timestamp, body)) {
			t.Errorf("accepted %q for %q at %q", signature, body, timestamp)
		}
	})
}
