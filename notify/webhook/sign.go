package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// The headers of a signed request.
const (
	// HeaderTimestamp is the time of the request in Unix seconds.
	HeaderTimestamp = "X-Alertkit-Timestamp"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, under the
	// signing key, of the timestamp, a dot, and the body.
	HeaderSignature = "X-Alertkit-Signature"
)

// signaturePrefix names the signature's algorithm.
const signaturePrefix = "sha256="

// DefaultTolerance is how far a request's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// The errors of Verify, for errors.Is.
var (
	// ErrMalformed: a header is missing or not in the form the sender
	// writes.
	ErrMalformed = errors.New("malformed signature")
	// ErrWrongSignature: the signature does not match the body and
	// timestamp under the key: the body was altered, or signed with another
	// key.
	ErrWrongSignature = errors.New("wrong signature")
	// ErrTooOld: the signature is right but the timestamp is older than the
	// tolerance: a replay, or a clock far behind.
	ErrTooOld = errors.New("timestamp too old")
	// ErrInFuture: the signature is right but the timestamp is later than
	// the tolerance allows: a clock far ahead.
	ErrInFuture = errors.New("timestamp in the future")
)

// Signature returns the value of the X-Alertkit-Signature header of a body
// sent at timestamp (Unix seconds, as in X-Alertkit-Timestamp):
// "sha256=" and the hex HMAC-SHA256 of timestamp + "." + body.
func Signature(key []byte, timestamp string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(key, timestamp, body))
}

func mac(key []byte, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a signed request, for a consumer of the webhook: timestamp
// and signature are the X-Alertkit-Timestamp and X-Alertkit-Signature
// headers, body the request's body as received, now the consumer's clock.
// It returns nil if the signature is the HMAC-SHA256 of the timestamp, a
// dot and the body under key, compared in constant time, and the timestamp
// is within tolerance of now (DefaultTolerance if tolerance is not
// positive). Otherwise the error wraps ErrMalformed, ErrWrongSignature,
// ErrTooOld or ErrInFuture. The timestamp is checked only once the
// signature is right, so that a forged request is reported as such.
//
// A consumer that wants each notification once also deduplicates on the
// Idempotency-Key header: a retry is signed again, with a new timestamp.
func Verify(key []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(key) == 0 {
		return errors.New("webhook: verify: empty key")
	}
	if timestamp == "" {
		return fmt.Errorf("webhook: %w: no timestamp", ErrMalformed)
	}
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || strings.HasPrefix(timestamp, "+") {
		return fmt.Errorf("webhook: %w: timestamp %q is not Unix seconds", ErrMalformed, clip(timestamp))
	}
	if signature == "" {
		return fmt.Errorf("webhook: %w: no signature", ErrMalformed)
	}
	digest, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return fmt.Errorf("webhook: %w: signature does not start with %q", ErrMalformed, signaturePrefix)
	}
	got, err := hex.DecodeString(digest)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("webhook: %w: signature is not %d hex digits", ErrMalformed, 2*sha256.Size)
	}
	if !hmac.Equal(got, mac(key, timestamp, body)) {
		return fmt.Errorf("webhook: %w", ErrWrongSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	at := time.Unix(secs, 0)
	switch {
	case at.Before(now.Add(-tolerance)):
		return fmt.Errorf("webhook: %w: signed at %s, %s before now, tolerance %s",
			ErrTooOld, at.UTC().Format(time.RFC3339), now.Sub(at).Round(time.Second), tolerance)
	case at.After(now.Add(tolerance)):
		return fmt.Errorf("webhook: %w: signed at %s, %s after now, tolerance %s",
			ErrInFuture, at.UTC().Format(time.RFC3339), at.Sub(now).Round(time.Second), tolerance)
	}
	return nil
}

// clip shortens outside input quoted in an error.
func clip(s string) string { return notify.Truncate(s, 32) }
