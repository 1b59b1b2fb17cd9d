package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	amalert "github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/config"
	amcommoncfg "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/alertmanager/provider/mem"
	"github.com/prometheus/alertmanager/silence"
	"github.com/prometheus/alertmanager/silence/silencepb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/route"
)

var benchNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// routingConfig is an Alertmanager configuration of n routes, one per
// service, of which the alert of routedLabels matches the last.
func routingConfig(n int) string {
	var b strings.Builder
	b.WriteString("route:\n  receiver: default\n  group_by: [alertname]\n  routes:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - matchers: ['service = \"svc-%d\"', 'env = \"prod\"']\n      receiver: team-%d\n", i, i%50)
	}
	b.WriteString("receivers:\n  - name: default\n")
	for i := range 50 {
		fmt.Fprintf(&b, "  - name: team-%d\n", i)
	}
	return b.String()
}

func routedLabels(n int) model.LabelSet {
	return model.LabelSet{"alertname": "HighLatency", "service": model.LabelValue(fmt.Sprintf("svc-%d", n-1)),
		"env": "prod", "namespace": "shop", "instance": "10.0.0.1:8080"}
}

var routed int

// BenchmarkRoute routes one alert with 10, 1,000 and 10,000 rules, the last
// of which matches: Alertmanager's dispatch.Route.Match and alertkit's
// Router.Route over the same configuration, imported.
func BenchmarkRoute(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		text := routingConfig(n)
		ls := routedLabels(n)
		b.Run(fmt.Sprintf("rules=%d/alertkit", n), func(b *testing.B) {
			cfg, err := route.FromAlertmanager([]byte(text), "bench.yml")
			if err != nil {
				b.Fatal(err)
			}
			router, err := route.Compile(cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			s := &route.Subject{Alert: &alert.Alert{Labels: ls}, At: benchNow}
			if got := router.Route(s); got[0].Targets[0].Name != fmt.Sprintf("team-%d", (n-1)%50) {
				b.Fatalf("routed to %v", got[0].Targets)
			}
			b.ReportAllocs()
			for b.Loop() {
				routed += len(router.Route(s))
			}
		})
		b.Run(fmt.Sprintf("rules=%d/alertmanager", n), func(b *testing.B) {
			cfg, err := config.Load(text)
			if err != nil {
				b.Fatal(err)
			}
			r := dispatch.NewRoute(cfg.Route, nil)
			if got := r.Match(ls); got[0].RouteOpts.Receiver != fmt.Sprintf("team-%d", (n-1)%50) {
				b.Fatalf("routed to %v", got[0].RouteOpts.Receiver)
			}
			b.ReportAllocs()
			for b.Loop() {
				routed += len(r.Match(ls))
			}
		})
	}
}

var muted bool

// BenchmarkMute checks one alert against 10,000 active silences, 1,000 of
// which match it: Alertmanager's Silencer.Mutes and alertkit's
// Silences.Mutes.
func BenchmarkMute(b *testing.B) {
	const total, matching = 10000, 1000
	ls := model.LabelSet{"alertname": "TargetDown", "foo": "bar", "job": "node"}
	b.Run(fmt.Sprintf("silences=%d/alertkit", total), func(b *testing.B) {
		s := route.NewSilences(nil)
		for i := range total {
			sil := route.Silence{Match: fmt.Sprintf(`~job = "job%d"`, i), StartsAt: benchNow.Add(-time.Hour), EndsAt: benchNow.Add(24 * time.Hour),
				CreatedBy: "bench", Comment: "bench"}
			if i%(total/matching) == 0 {
				sil.Match = `~foo = "bar"`
			}
			if _, err := s.Set(sil); err != nil {
				b.Fatal(err)
			}
		}
		subject := &route.Subject{Alert: &alert.Alert{Labels: ls}, At: benchNow}
		if _, ok := s.Mutes(subject, benchNow); !ok {
			b.Fatal("not muted")
		}
		b.ReportAllocs()
		for b.Loop() {
			_, muted = s.Mutes(subject, benchNow)
		}
	})
	b.Run(fmt.Sprintf("silences=%d/alertmanager", total), func(b *testing.B) {
		silences, err := silence.New(silence.Options{Metrics: prometheus.NewRegistry()})
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		for i := range total {
			m := &silencepb.Matcher{Type: silencepb.Matcher_EQUAL, Name: "job", Pattern: fmt.Sprintf("job%d", i)}
			if i%(total/matching) == 0 {
				m = &silencepb.Matcher{Type: silencepb.Matcher_EQUAL, Name: "foo", Pattern: "bar"}
			}
			sil := &silencepb.Silence{Matchers: []*silencepb.Matcher{m}, StartsAt: timestamppb.New(now.Add(-time.Hour)),
				EndsAt: timestamppb.New(now.Add(24 * time.Hour)), CreatedBy: "bench", Comment: "bench"}
			if err := silences.Set(context.Background(), sil); err != nil {
				b.Fatal(err)
			}
		}
		silencer := silence.NewSilencer(silences, promslog.NewNopLogger(), eventrecorder.NopRecorder())
		if !silencer.Mutes(context.Background(), ls) {
			b.Fatal("not muted")
		}
		b.ReportAllocs()
		for b.Loop() {
			muted = silencer.Mutes(context.Background(), ls)
		}
	})
}

// BenchmarkInhibit checks one alert against 1,000 and 10,000 inhibition
// rules, each with its firing source alert, the last of which inhibits it:
// Alertmanager's Inhibitor.Mutes and alertkit's Inhibitor.Inhibited.
func BenchmarkInhibit(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		target := model.LabelSet{"alertname": model.LabelValue(fmt.Sprintf("Target%d", n-1)), "node": "kube-3"}
		source := func(i int) model.LabelSet {
			return model.LabelSet{"alertname": model.LabelValue(fmt.Sprintf("Source%d", i)), "node": "kube-3"}
		}
		b.Run(fmt.Sprintf("rules=%d/alertkit", n), func(b *testing.B) {
			var rules []route.InhibitRule
			for i := range n {
				rules = append(rules, route.InhibitRule{
					Source: fmt.Sprintf(`~alertname = "Source%d"`, i), Target: fmt.Sprintf(`~alertname = "Target%d"`, i),
					Equal: []model.LabelName{"node"},
				})
			}
			in, err := route.NewInhibitor(rules, nil)
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				in.Observe(&route.Subject{Alert: &alert.Alert{Labels: source(i), StartsAt: benchNow.Add(-time.Hour)}, At: benchNow})
			}
			subject := &route.Subject{Alert: &alert.Alert{Labels: target}, At: benchNow}
			if _, _, ok := in.Inhibited(subject); !ok {
				b.Fatal("not inhibited")
			}
			b.ReportAllocs()
			for b.Loop() {
				_, _, muted = in.Inhibited(subject)
			}
		})
		b.Run(fmt.Sprintf("rules=%d/alertmanager", n), func(b *testing.B) {
			ctx := context.Background()
			alerts, err := mem.NewAlerts(ctx, time.Minute, 0, nil, promslog.NewNopLogger(), eventrecorder.NopRecorder(), prometheus.NewRegistry(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer alerts.Close()
			var rules []amcommoncfg.InhibitRule
			now := time.Now()
			for i := range n {
				rules = append(rules, amcommoncfg.InhibitRule{
					SourceMatchers: amcommoncfg.Matchers{mustMatcher(b, "alertname", fmt.Sprintf("Source%d", i))},
					TargetMatchers: amcommoncfg.Matchers{mustMatcher(b, "alertname", fmt.Sprintf("Target%d", i))},
					Equal:          []string{"node"},
				})
				a := &amalert.Alert{Alert: model.Alert{Labels: source(i), StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}, UpdatedAt: now}
				if err := alerts.Put(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			ih := inhibit.NewInhibitor(alerts, rules, promslog.NewNopLogger(), eventrecorder.NopRecorder())
			defer ih.Stop()
			go ih.Run()
			// The inhibitor loads its cache in the background: wait for it.
			deadline := time.Now().Add(30 * time.Second)
			for !ih.Mutes(ctx, target) {
				if time.Now().After(deadline) {
					b.Fatal("alertmanager's inhibitor never inhibited the target")
				}
				time.Sleep(10 * time.Millisecond)
			}
			b.ReportAllocs()
			for b.Loop() {
				muted = ih.Mutes(ctx, target)
			}
		})
	}
}

func mustMatcher(b *testing.B, name, value string) *labels.Matcher {
	b.Helper()
	m, err := labels.NewMatcher(labels.MatchEqual, name, value)
	if err != nil {
		b.Fatal(err)
	}
	return m
}
