package alert_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alertkit/alertkit/alert"
)

// BenchmarkIntakeMemory sends 100 request bodies at once to the Prometheus
// intake on a loopback server, with its default options, and reports the
// peak resident memory of the process while they are served (peak-MiB),
// its resident memory before (start-MiB), and how the requests were
// answered, per round (status-200, status-413, status-503, errors). The
// bodies are shared by the clients, so that the peak is the server's.
//
//	go test ./alert -run '^$' -bench IntakeMemory -benchtime 1x
//
// With the default budget (DefaultInFlightBytes) eight valid payloads of
// 8 MiB are taken at once and the others answered 503, for a peak of some
// 240 MiB; oversized payloads with a Content-Length are refused unread, for
// a peak of some 45 MiB. Without a budget, the peaks were 2.4 GiB and
// 1.2 GiB.
func BenchmarkIntakeMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		b.Skip("needs Linux's /proc/self/clear_refs to reset the peak resident memory")
	}
	valid := promBody(b, alert.DefaultMaxBytes)
	oversized := promBody(b, 10<<20)
	cases := []struct {
		name    string
		body    []byte
		chunked bool // sent without a Content-Length
	}{
		{name: "bodies=100/size=10MiB/oversized", body: oversized},
		{name: "bodies=100/size=10MiB/oversized/chunked", body: oversized, chunked: true},
		{name: "bodies=100/size=8MiB/valid", body: valid},
		{name: "bodies=100/size=8MiB/valid/chunked", body: valid, chunked: true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var ingested atomic.Int64
			srv := httptest.NewServer(alert.PrometheusHandler(func(_ context.Context, alerts []alert.Alert) error {
				ingested.Add(int64(len(alerts)))
				return nil
			}, nil))
			defer srv.Close()
			start := settle(b)
			var peak float64
			codes := map[string]int{}
			for b.Loop() {
				resetPeakRSS(b)
				for k, n := range postAll(b, srv.URL, tc.body, 100, tc.chunked) {
					codes[k] += n
				}
				peak = max(peak, procStatusMiB(b, "VmHWM"))
				settle(b)
			}
			b.ReportMetric(start, "start-MiB")
			b.ReportMetric(peak, "peak-MiB")
			for _, k := range []string{"status-200", "status-413", "status-503", "errors"} {
				b.ReportMetric(float64(codes[k])/float64(b.N), k)
			}
		})
	}
}

// promBody returns a Prometheus payload of alerts with a long description,
// as long as fits in size bytes.
func promBody(b *testing.B, size int) []byte {
	b.Helper()
	desc := strings.Repeat("Pod horns-and-hooves/checkout is in waiting state (reason: CrashLoopBackOff). ", 9)
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := 0; ; i++ {
		item := fmt.Sprintf(`{"labels":{"alertname":"KubePodCrashLooping","cluster":"prod-eu-1","namespace":"horns-and-hooves",`+
			`"pod":"checkout-7d9f8b6c5-%06d","container":"checkout","severity":"warning"},`+
			`"annotations":{"summary":"Pod is crash looping.","description":%q},"startsAt":"2026-11-23T09:28:12Z"}`, i, desc)
		if buf.Len()+len(item)+2 > size {
			break
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(item)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// postAll posts body to url from n clients at once and counts the answers.
func postAll(b *testing.B, url string, body []byte, n int, chunked bool) map[string]int {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	codes := map[string]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			var r io.Reader = bytes.NewReader(body)
			if chunked {
				r = struct{ io.Reader }{r} // hides the length
			}
			key := "errors"
			resp, err := client.Post(url, "application/json", r)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				key = "status-" + strconv.Itoa(resp.StatusCode)
			}
			mu.Lock()
			codes[key]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return codes
}

// settle collects garbage, returns freed memory to the system, and returns
// the resident memory left, in MiB.
func settle(b *testing.B) float64 {
	runtime.GC()
	debug.FreeOSMemory()
	return procStatusMiB(b, "VmRSS")
}

// resetPeakRSS makes VmHWM start again from the resident memory now.
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak resident memory: %v", err)
	}
}

// procStatusMiB reads a field of /proc/self/status given in kB, in MiB.
func procStatusMiB(b *testing.B, field string) float64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatalf("%s: %v", field, err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}
