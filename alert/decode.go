package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
)

// Default decoding limits and timings; see DecodeOptions.
const (
	DefaultMaxBytes  = 8 << 20
	DefaultMaxAlerts = 10_000
	DefaultMaxLabels = 256
	// DefaultMaxLabelNameBytes bounds the names of labels and annotations:
	// names are identifiers, "instance" or "runbook_url", seldom over 64
	// bytes.
	DefaultMaxLabelNameBytes = 256
	// DefaultMaxLabelValueBytes bounds label values, which identify an
	// alert and are shown in every page and message about it: a pod, a
	// URL path, a query; Mimir's default of 2,048 is of the same order.
	DefaultMaxLabelValueBytes = 4 << 10
	// DefaultMaxAnnotationBytes bounds annotation values, which describe:
	// a templated description with a table of values or a log excerpt
	// fits, while a message built from one stays within what chat tools
	// accept (Slack cuts messages at 40,000 characters).
	DefaultMaxAnnotationBytes = 32 << 10
	// DefaultPrometheusTTL is the refresh deadline given to an alert posted
	// without endsAt, as Alertmanager's default resolve_timeout.
	DefaultPrometheusTTL = 5 * time.Minute
)

// DecodeOptions tunes the decoders. A nil *DecodeOptions, and every zero
// field, means the default.
type DecodeOptions struct {
	// MaxBytes is the largest payload accepted, in bytes. Default 8 MiB.
	MaxBytes int64
	// MaxAlerts is the most alerts accepted in one payload. Default 10,000.
	MaxAlerts int
	// MaxLabels is the most labels, and separately the most annotations,
	// accepted on one alert. Default 256.
	MaxLabels int
	// MaxLabelNameBytes is the longest name of a label or an annotation
	// accepted, in bytes. Default 256.
	MaxLabelNameBytes int
	// MaxLabelValueBytes is the longest label value accepted, in bytes.
	// Default 4 KiB.
	MaxLabelValueBytes int
	// MaxAnnotationBytes is the longest value of one annotation accepted,
	// in bytes. Default 32 KiB.
	MaxAnnotationBytes int
	// UTF8Names accepts any UTF-8 label name, as Prometheus 3 does. By default
	// names must match [a-zA-Z_][a-zA-Z0-9_]*.
	UTF8Names bool
	// RefreshTTL is how long a firing alert that arrives without a refresh
	// deadline of its own stays firing without news before its state becomes
	// unknown. Zero means the default of the format: DefaultPrometheusTTL for
	// DecodePrometheus (an alert without endsAt), and no deadline for
	// DecodeWebhook (Alertmanager re-sends firing alerts only every
	// repeat_interval) and DecodeEvents (whose "ttl" field says it). A
	// negative value means no deadline in every format.
	RefreshTTL time.Duration
	// Source is the Source of decoded alerts; an event's own "source" field
	// takes precedence. Default "alertmanager" for DecodeWebhook,
	// "prometheus" for DecodePrometheus, none for DecodeEvents.
	Source string
	// Now returns the time of receipt, which stamps UpdatedAt, fills a missing
	// StartsAt and tells a Prometheus alert's refresh deadline from its end.
	// Default time.Now.
	Now func() time.Time
	// WholeOrNothing refuses a payload whole when any of its alerts is
	// invalid, with the error of the first bad field (a *FieldError or
	// *LimitError, as "[3].labels: invalid label name \"1x\""). By default
	// each alert is taken or refused on its own: the decoders return the
	// valid alerts of a payload, and a *RejectedError naming the others.
	WholeOrNothing bool
}

// decodeConfig is DecodeOptions with the defaults applied.
type decodeConfig struct {
	DecodeOptions
	scheme model.ValidationScheme
	now    time.Time
}

func (o *DecodeOptions) config(source string, ttl time.Duration) decodeConfig {
	var c decodeConfig
	if o != nil {
		c.DecodeOptions = *o
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxAlerts <= 0 {
		c.MaxAlerts = DefaultMaxAlerts
	}
	if c.MaxLabels <= 0 {
		c.MaxLabels = DefaultMaxLabels
	}
	if c.MaxLabelNameBytes <= 0 {
		c.MaxLabelNameBytes = DefaultMaxLabelNameBytes
	}
	if c.MaxLabelValueBytes <= 0 {
		c.MaxLabelValueBytes = DefaultMaxLabelValueBytes
	}
	if c.MaxAnnotationBytes <= 0 {
		c.MaxAnnotationBytes = DefaultMaxAnnotationBytes
	}
	switch {
	case c.RefreshTTL == 0:
		c.RefreshTTL = ttl
	case c.RefreshTTL < 0:
		c.RefreshTTL = 0
	}
	if c.Source == "" {
		c.Source = source
	}
	c.scheme = model.LegacyValidation
	if c.UTF8Names {
		c.scheme = model.UTF8Validation
	}
	if c.Now != nil {
		c.now = c.Now()
	} else {
		c.now = time.Now()
	}
	return c
}

// ttlDeadline is the refresh deadline for an alert that brings none.
func (c *decodeConfig) ttlDeadline() time.Time {
	if c.RefreshTTL <= 0 {
		return time.Time{}
	}
	return c.now.Add(c.RefreshTTL)
}

// check applies the per-alert limits and Validate to a decoded alert. The
// refresh deadline is named after the field it came from in the payload.
func (c *decodeConfig) check(path string, a *Alert, refreshField string) error {
	if len(a.Labels) > c.MaxLabels {
		return &LimitError{Path: joinPath(path, "labels"), Limit: int64(c.MaxLabels), Unit: "labels"}
	}
	if len(a.Annotations) > c.MaxLabels {
		return &LimitError{Path: joinPath(path, "annotations"), Limit: int64(c.MaxLabels), Unit: "labels"}
	}
	if err := checkLengths(joinPath(path, "labels"), a.Labels, c.MaxLabelNameBytes, c.MaxLabelValueBytes); err != nil {
		return err
	}
	if err := checkLengths(joinPath(path, "annotations"), a.Annotations, c.MaxLabelNameBytes, c.MaxAnnotationBytes); err != nil {
		return err
	}
	err := a.ValidateNames(c.scheme)
	if err == nil {
		return nil
	}
	if fe, ok := err.(*FieldError); ok && fe.Path == "refreshBy" {
		err = &FieldError{Path: refreshField, Err: fe.Err}
	}
	return within(path, err)
}

// checkLengths returns a *LimitError for the first name of set, in sorted
// order, that is longer than maxName bytes or whose value is longer than
// maxValue bytes, so that the error does not depend on map iteration.
func checkLengths(path string, set model.LabelSet, maxName, maxValue int) error {
	var bad []model.LabelName
	for name, value := range set {
		if len(name) > maxName || len(value) > maxValue {
			bad = append(bad, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	name := bad[0]
	if len(name) > maxName {
		return &LimitError{Path: path, What: "name " + quotePrefix(string(name)), Size: int64(len(name)), Unit: "bytes", Limit: int64(maxName)}
	}
	return &LimitError{Path: joinPath(path, string(name)), What: "value", Size: int64(len(set[name])), Unit: "bytes", Limit: int64(maxValue)}
}

// quotePrefix quotes the first 32 bytes of s, and says if there are more.
func quotePrefix(s string) string {
	const n = 32
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

func (c *decodeConfig) checkCount(path string, n int) error {
	if n > c.MaxAlerts {
		return &LimitError{Path: path, Limit: int64(c.MaxAlerts), Unit: "alerts"}
	}
	return nil
}

// readBody reads all of r, refusing more than limit bytes.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &LimitError{Path: "body", Limit: limit, Unit: "bytes"}
		}
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, &LimitError{Path: "body", Limit: limit, Unit: "bytes"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fieldErr("body", "empty")
	}
	return data, nil
}

// unmarshal decodes data, one JSON value, into v. A strict decode refuses
// object keys that match no field. Malformed JSON, and data after the
// value, is a *SyntaxError: the payload cannot be read. Any other error is
// encoding/json's, about a value that does not fit v, for locateError to
// explain.
func unmarshal(data []byte, v any, strict bool) error {
	if !strict {
		err := json.Unmarshal(data, v)
		if se, ok := err.(*json.SyntaxError); ok {
			return jsonSyntaxError(data, se)
		}
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if se, ok := err.(*json.SyntaxError); ok {
		return jsonSyntaxError(data, se)
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return syntaxError(data, int64(len(data)), "unexpected end of input")
	}
	// The decoder has read the whole value even if it does not fit v.
	rest := data[dec.InputOffset():]
	if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
		off := int64(len(data) - len(trimmed))
		return syntaxError(data, off, "unexpected data after the JSON value")
	}
	return err
}

// decodeEach is the slow path of a payload whose alerts, elems, did not all
// decode at once. It decodes each alert alone, so that one of the wrong
// shape costs only itself: errs[i], when errs is not nil, is why elems[i]
// did not decode, at the path that path(i) gives. With WholeOrNothing, or if
// every alert decodes alone (what did not is elsewhere), it returns whole(),
// the error of the payload.
func decodeEach[T any](c *decodeConfig, elems []json.RawMessage, strict bool, path func(int) string, whole func() error) (items []T, errs []error, err error) {
	if c.WholeOrNothing {
		return nil, nil, whole()
	}
	items = make([]T, len(elems))
	for i, e := range elems {
		err := unmarshal(e, &items[i], strict)
		if err == nil {
			continue
		}
		if errs == nil {
			errs = make([]error, len(elems))
		}
		items[i] = *new(T)
		errs[i] = locateError(e, &items[i], path(i), strict, err)
	}
	if errs == nil {
		return nil, nil, whole()
	}
	return items, errs, nil
}

// indexPath is the path of the alert at index i of a payload that is an
// array of alerts.
func indexPath(i int) string { return fmt.Sprintf("[%d]", i) }
