package alert

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
)

// IngestFunc takes the valid alerts of one payload. The HTTP intake calls it
// at most once per request, with the alerts that decoded and validated, in
// payload order; it does not call it when there are none (an empty payload,
// or one whose every alert was refused).
//
// It returns nil only once every alert it was given is safely recorded. If
// it could record some but not others, it returns a *RejectedError (see
// Rejected) naming those it could not by their index in its alerts slice;
// the intake answers with their indices in the payload. The reasons need
// not name the index. Any error, of some alerts or of all, is answered 500,
// which Alertmanager's webhook sender retries with the whole payload: an
// alert recorded twice must do no harm.
type IngestFunc func(ctx context.Context, alerts []Alert) error

// HandlerOptions configure an intake Handler. A nil *HandlerOptions means
// the defaults.
type HandlerOptions struct {
	// Decode sets the decoding limits and defaults; see DecodeOptions.
	Decode DecodeOptions
	// BearerToken, when set, is required in the Authorization header
	// ("Bearer <token>"); a request without it is refused with 401. The token
	// is never logged.
	BearerToken string
	// Budget bounds the bytes of request bodies read at once, by this
	// handler and by whatever shares the budget: each request reserves its
	// Content-Length (Decode.MaxBytes when it has none) before its body is
	// read, and is answered 503 with Retry-After when the budget cannot
	// hold it (see BodyBudget). Give the handlers of a service one budget
	// to bound them together. Default: a budget of DefaultInFlightBytes of
	// the handler's own.
	Budget *BodyBudget
	// Logger receives a record for every request refused in whole or in
	// part, at level Warn, with how many of its alerts were refused and,
	// in its "error" attribute, the whole reason: an IngestFunc's error,
	// or the connection's, which the answer does not carry. Default: no
	// logging.
	Logger *slog.Logger
}

// Handler is the HTTP intake for one payload format. It accepts POST only,
// decodes the body, and hands the valid alerts to its IngestFunc: as
// Alertmanager does, one invalid alert does not cost the payload its valid
// neighbours. It answers:
//
//   - 200 when every alert of the payload was decoded and ingested;
//   - 400 with the error text when the payload is malformed, or when some or
//     all of its alerts are invalid: the valid ones were ingested, and the
//     text names each refused alert by its index and reason (a
//     *RejectedError; see DecodeOptions.WholeOrNothing to refuse the
//     payload whole instead); also when the connection fails before the
//     body is read whole;
//   - 401 when a bearer token is configured and the request lacks it;
//   - 405 for any method but POST;
//   - 413 when the body, or its number of alerts, exceeds the limits, and
//     before reading it when its Content-Length does (an alert with too
//     many labels, or a label or annotation too long, is refused alone,
//     unless WholeOrNothing);
//   - 415 for a Content-Encoding other than identity;
//   - 500 when the IngestFunc fails, naming by their index in the payload
//     the alerts that were not recorded (those it names in a
//     *RejectedError, else all it was given) and asking to retry, as
//     "ingest failed: 2 of 5 alerts not recorded: [1], [3]; retry later".
//     The IngestFunc's own error, which may name hosts and databases, is
//     logged and never answered. Alerts the decoder refused are named on a
//     second line;
//   - 503 with Retry-After when the request bodies in flight fill the
//     budget (HandlerOptions.Budget), before reading the body.
//
// An answer quotes the payload (the paths of its fields, its label names)
// but tells nothing of the service behind the intake: neither the
// IngestFunc's error nor the connection's.
//
// A Handler may serve many requests at once; it calls its IngestFunc
// concurrently.
type Handler struct {
	format string
	decode func(r io.Reader, opts *DecodeOptions) ([]Alert, error)
	// itemPath is the path of the alert at an index of a payload.
	itemPath func(i int) string
	ingest   IngestFunc
	opts     HandlerOptions
	budget   *BodyBudget
}

// WebhookHandler returns the intake for Alertmanager's webhook messages, for
// a service that is an Alertmanager receiver:
//
//	receivers:
//	- name: alertkit
//	  webhook_configs:
//	  - url: http://checkout.internal:8080/alerts/webhook
//	    send_resolved: true
func WebhookHandler(ingest IngestFunc, opts *HandlerOptions) *Handler {
	return newHandler("alertmanager webhook", func(r io.Reader, o *DecodeOptions) ([]Alert, error) {
		_, alerts, err := DecodeWebhook(r, o)
		return alerts, err
	}, alertsPath, ingest, opts)
}

// PrometheusHandler returns the intake for POST /api/v2/alerts, the request
// Prometheus sends to an Alertmanager. Mount it at that path and list the
// service under alerting.alertmanagers in prometheus.yml, and Prometheus
// sends its alerts straight to the service:
//
//	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, nil))
func PrometheusHandler(ingest IngestFunc, opts *HandlerOptions) *Handler {
	return newHandler("prometheus", DecodePrometheus, indexPath, ingest, opts)
}

// EventHandler returns the intake for the generic format (see Event).
func EventHandler(ingest IngestFunc, opts *HandlerOptions) *Handler {
	return newHandler("events", DecodeEvents, indexPath, ingest, opts)
}

func newHandler(format string, decode func(io.Reader, *DecodeOptions) ([]Alert, error), itemPath func(int) string, ingest IngestFunc, opts *HandlerOptions) *Handler {
	h := &Handler{format: format, decode: decode, itemPath: itemPath, ingest: ingest}
	if opts != nil {
		h.opts = *opts
	}
	h.budget = h.opts.Budget
	if h.budget == nil {
		h.budget = NewBodyBudget(DefaultInFlightBytes)
	}
	return h
}

// ServeHTTP decodes and ingests one payload.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use POST")
		return
	}
	if h.opts.BearerToken != "" && !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="alertkit"`)
		h.refuse(w, r, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		h.refuse(w, r, http.StatusUnsupportedMediaType, "unsupported Content-Encoding "+enc)
		return
	}
	limit := h.opts.Decode.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	reserved, code := h.budget.reserve(r, limit)
	switch code {
	case http.StatusRequestEntityTooLarge:
		h.refuse(w, r, code, bodyTooLarge(limit).Error())
		return
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
		h.refuse(w, r, code, "intake busy: the request bodies in flight fill its budget; retry later")
		return
	}
	defer h.budget.Release(reserved)
	body := &bodyReader{r: http.MaxBytesReader(w, r.Body, limit)}
	alerts, err := h.decode(body, &h.opts.Decode)
	refused, partly := errors.AsType[*RejectedError](err)
	if err != nil && !partly {
		code := http.StatusBadRequest
		if _, ok := errors.AsType[*LimitError](err); ok {
			code = http.StatusRequestEntityTooLarge
		}
		detail := err.Error()
		if body.err != nil {
			detail += ": " + body.err.Error()
		}
		h.refuseAlerts(w, r, code, err.Error(), detail, -1, -1)
		return
	}
	if len(alerts) > 0 {
		if err := h.ingest(r.Context(), alerts); err != nil {
			h.ingestFailed(w, r, err, len(alerts), refused)
			return
		}
	}
	if refused != nil {
		msg := refused.Error()
		h.refuseAlerts(w, r, http.StatusBadRequest, msg, msg, len(refused.Rejections), refused.Total)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// errConnection is what a decoder hears of a request's body that could
// not be read: the connection's own error names the addresses of both
// ends, which the answer must not, and is logged instead.
var errConnection = errors.New("the connection failed or timed out")

// bodyReader reads a request's body, and keeps the error of the
// connection, if reading fails, from the decoder's error and so from the
// answer.
type bodyReader struct {
	r   io.Reader
	err error // the connection's error, once reading failed
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); !tooLarge {
			b.err = err
			err = errConnection
		}
	}
	return n, err
}

// ingestFailed answers a request whose n valid alerts the IngestFunc did not
// all record, with err, its error. refused, if not nil, names the alerts of
// the payload that the decoder refused, and so were not given to the
// IngestFunc. The answer names the alerts not recorded by their index in
// the payload: those of a *RejectedError of the IngestFunc, even wrapped,
// else all it was given. The IngestFunc's error goes to the log only: it
// may name the hosts, ports and databases behind the intake.
func (h *Handler) ingestFailed(w http.ResponseWriter, r *http.Request, err error, n int, refused *RejectedError) {
	total := n
	if refused != nil {
		total = refused.Total
	}
	given := givenIndices(n, refused)
	lost, detail := given, err.Error()
	if rej, ok := errors.AsType[*RejectedError](err); ok {
		if mapped := toPayload(rej, given, h.itemPath); mapped != nil {
			mapped.Total = total
			detail = mapped.Error()
			lost = make([]int, len(mapped.Rejections))
			for k, rj := range mapped.Rejections {
				lost[k] = rj.Index
			}
		}
	}
	msg := fmt.Sprintf("ingest failed: %d of %d alerts not recorded: %s; retry later", len(lost), total, h.listPaths(lost))
	detail = "ingest failed: " + detail
	unrecorded := len(lost)
	if refused != nil {
		msg += "\n" + refused.Error()
		detail += "\n" + refused.Error()
		unrecorded += len(refused.Rejections)
	}
	h.refuseAlerts(w, r, http.StatusInternalServerError, msg, detail, unrecorded, total)
}

// givenIndices returns the payload index of each of the n alerts given to
// the IngestFunc: those of the payload that the decoder did not refuse.
func givenIndices(n int, refused *RejectedError) []int {
	index := make([]int, 0, n)
	skip := 0
	for i := 0; len(index) < n; i++ {
		if refused != nil && skip < len(refused.Rejections) && refused.Rejections[skip].Index == i {
			skip++
			continue
		}
		index = append(index, i)
	}
	return index
}

// listPaths names the alerts at the payload indices of list, the first
// maxNamedRejections of them, counting the others: "[1], [3] and 2 more".
func (h *Handler) listPaths(list []int) string {
	var b strings.Builder
	for k, i := range list {
		if k == maxNamedRejections {
			fmt.Fprintf(&b, " and %d more", len(list)-k)
			break
		}
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(h.itemPath(i))
	}
	return b.String()
}

// toPayload puts the rejections of an IngestFunc, whose indices are into
// the alerts it was given, at the indices of the payload, given[k] being
// that of the k-th alert given; with the reason at the alert's path in the
// payload. It returns nil if rej names no index, one out of range, or one
// twice.
func toPayload(rej *RejectedError, given []int, path func(int) string) *RejectedError {
	if len(rej.Rejections) == 0 {
		return nil
	}
	seen := make([]bool, len(given))
	mapped := &RejectedError{Rejections: make([]Rejection, 0, len(rej.Rejections))}
	for _, rj := range rej.Rejections {
		if rj.Index < 0 || rj.Index >= len(given) || seen[rj.Index] {
			return nil
		}
		seen[rj.Index] = true
		i := given[rj.Index]
		reason := rj.Err
		if reason == nil {
			reason = errors.New("not recorded")
		}
		mapped.Rejections = append(mapped.Rejections, Rejection{Index: i, Err: within(path(i), reason)})
	}
	slices.SortFunc(mapped.Rejections, func(a, b Rejection) int { return a.Index - b.Index })
	return mapped
}

func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(h.opts.BearerToken)) == 1
}

// refuse answers code with msg, and logs it: a payload refused whole.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, msg string) {
	h.refuseAlerts(w, r, code, msg, msg, -1, -1)
}

// refuseAlerts is refuse for a payload of total alerts of which some were
// refused, and the others taken; the log says how many, and detail, the
// whole reason, where the answer says msg. A negative total means the
// payload was refused before its alerts were counted.
func (h *Handler) refuseAlerts(w http.ResponseWriter, r *http.Request, code int, msg, detail string, refused, total int) {
	if h.opts.Logger != nil {
		what := "alertkit: payload refused"
		attrs := make([]slog.Attr, 0, 6)
		attrs = append(attrs,
			slog.String("format", h.format),
			slog.Int("status", code),
			slog.String("remote", r.RemoteAddr))
		if total >= 0 {
			if refused < total {
				what = "alertkit: alerts refused" // and the others taken
			}
			attrs = append(attrs, slog.Int("refused", refused), slog.Int("alerts", total))
		}
		attrs = append(attrs, slog.String("error", detail))
		h.opts.Logger.LogAttrs(r.Context(), slog.LevelWarn, what, attrs...)
	}
	http.Error(w, msg, code)
}
