package alert_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

// benchLabels returns the first n labels of a Kubernetes alert, padded with
// extra labels beyond ten.
func benchLabels(i, n int) model.LabelSet {
	pairs := []string{
		"alertname", "KubePodCrashLooping",
		"cluster", "prod-eu-1",
		"namespace", "horns-and-hooves",
		"pod", fmt.Sprintf("checkout-7d9f8b6c5-%05d", i),
		"container", "checkout",
		"job", "kube-state-metrics",
		"instance", fmt.Sprintf("10.244.%d.%d:8080", i/250, i%250),
		"severity", "warning",
		"service", "kube-state-metrics",
		"prometheus", "monitoring/k8s",
	}
	for j := len(pairs) / 2; j < n; j++ {
		pairs = append(pairs, fmt.Sprintf("extra_%d", j), "value")
	}
	return labels(pairs[:2*n]...)
}

func webhookBody(b *testing.B, n int) []byte {
	b.Helper()
	msg := alert.WebhookMessage{
		Version: "4", Status: "firing", Receiver: "alertkit",
		GroupKey:    `{}:{alertname="KubePodCrashLooping"}`,
		GroupLabels: model.LabelSet{"alertname": "KubePodCrashLooping"},
		ExternalURL: "http://alertmanager.example.com:9093",
	}
	for i := range n {
		ls := benchLabels(i, 10)
		msg.Alerts = append(msg.Alerts, alert.WebhookAlert{
			Status: "firing", Labels: ls,
			Annotations: model.LabelSet{
				"summary":     "Pod is crash looping.",
				"description": model.LabelValue(fmt.Sprintf("Pod horns-and-hooves/%s is in waiting state (reason: CrashLoopBackOff).", ls["pod"])),
				"runbook_url": "https://runbooks.example.com/KubePodCrashLooping",
			},
			StartsAt:     t0,
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%5B5m%5D%29",
			Fingerprint:  alert.Fingerprint(ls).String(),
		})
	}
	body, err := json.Marshal(msg)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkDecodeWebhook(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			body := webhookBody(b, n)
			opts := &alert.DecodeOptions{Now: func() time.Time { return t0 }}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := alert.DecodeWebhook(bytes.NewReader(body), opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

func BenchmarkDecodePrometheus(b *testing.B) {
	const n = 100
	var posted []alert.PostableAlert
	for i := range n {
		posted = append(posted, alert.PostableAlert{
			Labels:      benchLabels(i, 10),
			Annotations: model.LabelSet{"summary": "Pod is crash looping."},
			StartsAt:    t0, EndsAt: t0.Add(4 * time.Minute),
		})
	}
	body, err := json.Marshal(posted)
	if err != nil {
		b.Fatal(err)
	}
	opts := &alert.DecodeOptions{Now: func() time.Time { return t0 }}
	b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := alert.DecodePrometheus(bytes.NewReader(body), opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
	})
	// One alert of the wrong JSON type sends the payload down the slow path,
	// which decodes each alert alone to keep the others.
	bad := bytes.Replace(body, []byte(`"summary":"Pod is crash looping."`), []byte(`"summary":0.5`), 1)
	b.Run(fmt.Sprintf("alerts=%d/wrong-type=1", n), func(b *testing.B) {
		b.SetBytes(int64(len(bad)))
		b.ReportAllocs()
		for b.Loop() {
			alerts, err := alert.DecodePrometheus(bytes.NewReader(bad), opts)
			if _, ok := errors.AsType[*alert.RejectedError](err); !ok || len(alerts) != n-1 {
				b.Fatalf("%d alerts, %v", len(alerts), err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
	})
}

var sinkFingerprint model.Fingerprint

func BenchmarkFingerprint(b *testing.B) {
	for _, n := range []int{3, 10, 40} {
		ls := benchLabels(7, n)
		b.Run(fmt.Sprintf("labels=%d/alertkit", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkFingerprint = alert.Fingerprint(ls)
			}
		})
		b.Run(fmt.Sprintf("labels=%d/model", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkFingerprint = ls.Fingerprint()
			}
		})
	}
}
