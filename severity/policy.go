package severity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Labels the Policy reads.
const (
	LabelLevel        = "severity_level"
	LabelImpact       = "impact"
	LabelLikelihood   = "likelihood"
	LabelLikehood     = "likehood" // Deckhouse's spelling, accepted too
	LabelSeverity     = "severity"
	LabelServiceLevel = "service_level"
	DefaultEnvLabel   = "env"
)

// Policy decides an alert's level, its service level, and from them its
// response and pending hold. Its zero value is not useful; start from
// DefaultPolicy, or load one with ParsePolicy.
//
// A Policy is read-only once in use, and may then be used by many
// goroutines at once.
type Policy struct {
	// Matrix turns impact × likelihood into a level.
	Matrix Matrix
	// Severities maps the values of a Prometheus-style severity label
	// (critical, warning, info, …) to levels.
	Severities map[string]Level
	// EnvLabel names the label of the environment; default "env".
	EnvLabel string
	// Environments makes the alerts of an environment milder by a number of
	// levels: {"dev": 2} turns an S3 in dev into an S5.
	Environments map[string]int
	// Unknown is the level of an alert no label classifies.
	Unknown Level
	// Responses is the response matrix.
	Responses Responses
	// Holds, when set, gives the pending hold of each cell, instead of
	// DefaultHold: Holds[serviceLevel][level-1].
	Holds *[4][9]time.Duration
	// Catalog, when set, gives the service level of an alert that has no
	// service_level label: the host's service catalogue.
	Catalog func(labels model.LabelSet) (ServiceLevel, bool)
}

// DefaultPolicy returns the talk's tables, and these defaults:
//
//   - the severity label: critical is S2, error S3, warning S4, info S6;
//   - environments: none adjusted (set Environments, e.g. {"dev": 2});
//   - an alert no label classifies is S5: a digest on Platinum, Gold and
//     Silver, retrospective otherwise — it never pages;
//   - pending holds: DefaultHold of each cell.
func DefaultPolicy() *Policy {
	return &Policy{
		Matrix:     DefaultMatrix(),
		Severities: map[string]Level{"critical": S2, "error": S3, "warning": S4, "info": S6},
		EnvLabel:   DefaultEnvLabel,
		Unknown:    S5,
		Responses:  DefaultResponses(),
	}
}

// Classification is what the Policy makes of an alert.
type Classification struct {
	Level        Level
	ServiceLevel ServiceLevel
	Response     Response
	// Hold is how long a pending alert is held before it may page.
	Hold time.Duration
	// From names what gave the level: the label severity_level,
	// "impact×likelihood", the label severity, or "unknown".
	From string
	// Milder is the environment's adjustment that was applied.
	Milder int
}

// Classify decides the level and service level of an alert from its labels:
// the level from severity_level if set, else from impact and likelihood (or
// likehood), else from severity, else Unknown; then made milder for its
// environment. The service level comes from the label service_level, else
// from Catalog, else None.
//
// A label that is set but wrong (severity_level="S12", impact="huge") is
// reported in the error, which names it; the classification goes on with
// the next source, so the result is always usable.
func (p *Policy) Classify(ls model.LabelSet) (Classification, error) {
	var c Classification
	var errs []error
	bad := func(label string, err error) { errs = append(errs, fmt.Errorf("label %s: %w", label, err)) }

	if v, ok := ls[LabelLevel]; ok {
		if l, err := ParseLevel(string(v)); err != nil {
			bad(LabelLevel, err)
		} else {
			c.Level, c.From = l, LabelLevel
		}
	}
	if c.Level == 0 {
		if l, err := p.fromMatrix(ls); err != nil {
			errs = append(errs, err)
		} else if l != 0 {
			c.Level, c.From = l, "impact×likelihood"
		}
	}
	if c.Level == 0 {
		if v, ok := ls[LabelSeverity]; ok {
			if l, found := p.Severities[strings.ToLower(string(v))]; found {
				c.Level, c.From = l, LabelSeverity
			} else {
				bad(LabelSeverity, fmt.Errorf("unknown severity %q (the policy knows %s)", v, strings.Join(p.severityNames(), ", ")))
			}
		}
	}
	if c.Level == 0 {
		c.Level, c.From = p.Unknown, "unknown"
	}
	envLabel := cmpOr(p.EnvLabel, DefaultEnvLabel)
	if k := p.Environments[string(ls[model.LabelName(envLabel)])]; k != 0 {
		c.Level, c.Milder = c.Level.Milder(k), k
	}

	labelled := false
	if v, ok := ls[LabelServiceLevel]; ok {
		if sl, err := ParseServiceLevel(string(v)); err != nil {
			bad(LabelServiceLevel, err)
		} else {
			c.ServiceLevel, labelled = sl, true
		}
	}
	if !labelled && p.Catalog != nil {
		if sl, found := p.Catalog(ls); found {
			c.ServiceLevel = sl
		}
	}
	c.Response = p.Responses.Response(c.ServiceLevel, c.Level)
	c.Hold = p.hold(c)
	return c, errors.Join(errs...)
}

// WithLevel returns a classification with another level — as a triage rule
// sets it — and the response and hold that go with it.
func (p *Policy) WithLevel(c Classification, l Level) Classification {
	c.Level = l
	c.Response = p.Responses.Response(c.ServiceLevel, l)
	c.Hold = p.hold(c)
	return c
}

func (p *Policy) fromMatrix(ls model.LabelSet) (Level, error) {
	impact, hasImpact := ls[LabelImpact]
	likelihood, hasLikelihood := ls[LabelLikelihood]
	label := LabelLikelihood
	if !hasLikelihood {
		likelihood, hasLikelihood = ls[LabelLikehood]
		label = LabelLikehood
	}
	switch {
	case !hasImpact && !hasLikelihood:
		return 0, nil
	case !hasImpact:
		return 0, fmt.Errorf("label %s: set without impact", label)
	case !hasLikelihood:
		return 0, fmt.Errorf("label %s: set without likelihood", LabelImpact)
	}
	i, err := ParseImpact(string(impact))
	if err != nil {
		return 0, fmt.Errorf("label %s: %w", LabelImpact, err)
	}
	l, err := ParseLikelihood(string(likelihood))
	if err != nil {
		return 0, fmt.Errorf("label %s: %w", label, err)
	}
	return p.Matrix.Level(i, l), nil
}

func (p *Policy) hold(c Classification) time.Duration {
	if p.Holds != nil && c.Level.Valid() && c.ServiceLevel <= Platinum {
		return p.Holds[c.ServiceLevel][c.Level-1]
	}
	return DefaultHold(c.Response)
}

func (p *Policy) severityNames() []string {
	var names []string
	for n := range p.Severities {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
