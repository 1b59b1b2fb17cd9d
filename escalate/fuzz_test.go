package escalate_test

import (
	"context"
	"testing"
	"time"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
)

// FuzzParseConfig: any input is a Config or an error, never a panic; a
// Config loads or fails to load with an error, and its schedules answer
// who is on call.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(sreConfig))
	f.Add([]byte(weekConfig))
	f.Add([]byte("policies: [{name: p, steps: [{notify: ['@a'], wait: 5m}, {notify: [team:b]}], repeat: 2}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := escalate.ParseConfig(data, "oncall.yaml")
		if err != nil {
			if cfg != nil {
				t.Fatal("a config and an error")
			}
			return
		}
		e := escalate.New(incident.NewManager(incident.NewMemoryStore(), nil),
			escalate.PagerFunc(func(context.Context, escalate.Page) error { return nil }), nil)
		_ = e.Load(cfg)
		at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		for _, s := range cfg.Schedules {
			for _, name := range s.LayerNames() {
				s.OnCallAt(name, at)
				s.Handoffs(name, at, at.Add(48*time.Hour))
			}
		}
	})
}
