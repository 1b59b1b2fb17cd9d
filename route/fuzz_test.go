package route_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alertkit/alertkit/route"
)

// fuzzNames check every kind of target, so that each is placed.
var fuzzNames = route.Names{Receivers: []string{"ops"}, People: []string{"x"}, Teams: []string{}, Policies: []string{},
	Schedules: map[string][]string{"sre": {"L1"}, "none": nil}}

// checkPositions runs CheckTargets and requires every error to point into
// the text it was read from.
func checkPositions(t *testing.T, cfg *route.Config, text, file string) {
	t.Helper()
	err := cfg.CheckTargets(fuzzNames)
	if err == nil {
		return
	}
	lines := strings.Split(text, "\n")
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var te *route.TargetError
		if !errors.As(e, &te) {
			t.Fatalf("not a *TargetError: %v", e)
		}
		p := te.Pos
		if p.Line == 0 {
			continue
		}
		if p.File != file || p.Line > len(lines) || p.Column < 1 || p.Column > utf8.RuneCountInString(lines[p.Line-1])+1 {
			t.Fatalf("%v: the position is not in the text %q", e, text)
		}
	}
}

// The seed corpora are in testdata/fuzz/<FuzzName>/.

// FuzzParse feeds route configurations to Parse and Compile: neither may
// panic, whatever the YAML.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := route.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		checkPositions(t, cfg, string(data), "fuzz.yaml")
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
		checkPositions(t, &route.Config{Routes: rules}, text, "fuzz.rules")
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
		checkPositions(t, cfg, string(data), "fuzz.yml")
		_, _ = route.Compile(cfg, nil)
	})
}
