package alert

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// IngestFunc takes the alerts of one accepted payload. The HTTP intake calls
// it once per request, with every alert of the payload, and answers 200 only
// if it returns nil: a payload is taken whole or refused whole. It should
// return once the alerts are safely recorded.
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
	// Logger receives a record for every refused request, at level Warn.
	// Default: no logging.
	Logger *slog.Logger
}

// Handler is the HTTP intake for one payload format. It accepts POST only,
// decodes the body, and hands the alerts to its IngestFunc. It answers:
//
//   - 200 when the payload was decoded and ingested;
//   - 400 with the error text when the payload is malformed or invalid;
//   - 401 when a bearer token is configured and the request lacks it;
//   - 405 for any method but POST;
//   - 413 when the body, or its number of alerts or labels, exceeds the limits;
//   - 415 for a Content-Encoding other than identity;
//   - 500 with the error text when the IngestFunc fails.
//
// A Handler may serve many requests at once; it calls its IngestFunc
// concurrently.
type Handler struct {
	format string
	decode func(r io.Reader, opts *DecodeOptions) ([]Alert, error)
	ingest IngestFunc
	opts   HandlerOptions
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
	}, ingest, opts)
}

// PrometheusHandler returns the intake for POST /api/v2/alerts, the request
// Prometheus sends to an Alertmanager. Mount it at that path and list the
// service under alerting.alertmanagers in prometheus.yml, and Prometheus
// sends its alerts straight to the service:
//
//	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, nil))
func PrometheusHandler(ingest IngestFunc, opts *HandlerOptions) *Handler {
	return newHandler("prometheus", DecodePrometheus, ingest, opts)
}

// EventHandler returns the intake for the generic format (see Event).
func EventHandler(ingest IngestFunc, opts *HandlerOptions) *Handler {
	return newHandler("events", DecodeEvents, ingest, opts)
}

func newHandler(format string, decode func(io.Reader, *DecodeOptions) ([]Alert, error), ingest IngestFunc, opts *HandlerOptions) *Handler {
	h := &Handler{format: format, decode: decode, ingest: ingest}
	if opts != nil {
		h.opts = *opts
	}
	return h
}

// ServeHTTP decodes and ingests one payload.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, errors.New("method "+r.Method+" not allowed; use POST"))
		return
	}
	if h.opts.BearerToken != "" && !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="alertkit"`)
		h.refuse(w, r, http.StatusUnauthorized, errors.New("missing or wrong bearer token"))
		return
	}
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		h.refuse(w, r, http.StatusUnsupportedMediaType, errors.New("unsupported Content-Encoding "+enc))
		return
	}
	limit := h.opts.Decode.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	alerts, err := h.decode(body, &h.opts.Decode)
	if err != nil {
		code := http.StatusBadRequest
		if _, ok := errors.AsType[*LimitError](err); ok {
			code = http.StatusRequestEntityTooLarge
		}
		h.refuse(w, r, code, err)
		return
	}
	if err := h.ingest(r.Context(), alerts); err != nil {
		h.refuse(w, r, http.StatusInternalServerError, errors.New("ingest failed: "+err.Error()))
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(h.opts.BearerToken)) == 1
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, err error) {
	if h.opts.Logger != nil {
		h.opts.Logger.LogAttrs(r.Context(), slog.LevelWarn, "alertkit: payload refused",
			slog.String("format", h.format),
			slog.Int("status", code),
			slog.String("remote", r.RemoteAddr),
			slog.String("error", err.Error()))
	}
	http.Error(w, err.Error(), code)
}
