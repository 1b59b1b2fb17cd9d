package alert

import (
	"net/http"
	"time"
)

// NewServer returns an *http.Server that serves h on addr with the timeouts
// and limits a service needs once it faces a network, where a client may
// be slow or hostile: a zero http.Server waits for ever, so that clients
// that send a byte now and then hold a connection, and its goroutine, each.
//
//   - ReadHeaderTimeout, 10s: how long a client may take to send a
//     request's headers (or, on a connection kept alive, the next request's
//     headers once they begin);
//   - ReadTimeout, 30s: how long it may take to send a whole request,
//     headers and body, so that a body of DecodeOptions.MaxBytes arrives
//     at 280 KiB/s or more;
//   - WriteTimeout, 30s: how long the request may take from the end of its
//     headers to the end of the answer: reading the body, the IngestFunc
//     and the answer. It must exceed the longest time an ingest may take:
//     an answer not written by then is lost, although what was ingested
//     stays ingested, and the sender retries;
//   - IdleTimeout, 2m: how long a connection kept alive may wait for its
//     next request;
//   - MaxHeaderBytes, 64 KiB: the largest request headers, answered 431
//     beyond.
//
// A host may change the fields before it calls ListenAndServe (or Serve,
// which ignores addr): raise WriteTimeout for an IngestFunc that may be
// slower, set TLSConfig, ErrorLog or BaseContext.
//
//	srv := alert.NewServer(":8080", mux)
//	go srv.ListenAndServe()
//	defer srv.Shutdown(ctx)
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
