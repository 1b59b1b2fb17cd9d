package route_test

import (
	"testing"

	"github.com/alertkit/alertkit/route"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/.

// FuzzParse feeds route configurations to Parse and Compile: neither may
// panic, whatever the YAML.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := route.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if r, err := route.Compile(cfg, nil); err == nil {
			r.Route(subject(t, monday, "alertname", "X", "team", "db"))
		}
		if _, err := route.NewTriage(cfg.Triage, nil); err != nil {
			return
		}
		_, _ = route.NewInhibitor(cfg.Inhibit, nil)
	})
}

// FuzzParseLines feeds the line form of rules to ParseLines.
func FuzzParseLines(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := route.ParseLines(text, "fuzz.rules")
		if err != nil {
			return
		}
		for _, r := range rules {
			if len(r.To) == 0 {
				t.Fatalf("a rule without targets parsed: %q", text)
			}
		}
		_, _ = route.Compile(&route.Config{Routes: rules}, nil)
	})
}

// FuzzParseRunbook feeds files to ParseRunbook.
func FuzzParseRunbook(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, err := route.ParseRunbook("fuzz.md", data, nil)
		if err == nil && (rb.Title == "" || rb.Match == "") {
			t.Fatalf("a runbook without title or mql parsed: %q", data)
		}
	})
}

// FuzzFromAlertmanager feeds Alertmanager configurations to the importer.
func FuzzFromAlertmanager(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := route.FromAlertmanager(data, "fuzz.yml")
		if err != nil {
			return
		}
		_, _ = route.Compile(cfg, nil)
	})
}
