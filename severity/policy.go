package severity

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	// Responses is the response-time table of the alerts that carry a
	// service level, from their label service_level or from Catalog.
	Responses Responses
	// Unclassified is the response of an alert that has no service level
	// (no label service_level, nothing from Catalog), by level:
	// Unclassified[level-1]. An alert labelled service_level="none" is not
	// unclassified: the None row of Responses answers for it.
	Unclassified [9]Response
	// Holds sets the pending hold of cells; a cell it does not name is held
	// DefaultHold of its response.
	Holds map[Cell]time.Duration
	// Catalog, when set, gives the service level of an alert that has no
	// service_level label: the host's service catalogue.
	Catalog func(labels model.LabelSet) (ServiceLevel, bool)
}

// DefaultPolicy returns the default tables — [DefaultMatrix],
// [DefaultResponses] and [DefaultUnclassified] — and these defaults:
//
//   - the severity label: critical is S2, error S3, warning S4, info S6;
//   - environments: none adjusted (set Environments, e.g. {"dev": 2});
//   - an alert no label classifies is S5: a digest, unless its service
//     level is none, and then retrospective — it never pages;
//   - pending holds: DefaultHold of each cell.
//
// Without a service level, then, severity=critical pages within ten
// minutes after a two-minute hold, warning goes to the daily digest, and
// info is only recorded; the package documentation has the whole table.
func DefaultPolicy() *Policy {
	return &Policy{
		Matrix:       DefaultMatrix(),
		Severities:   map[string]Level{"critical": S2, "error": S3, "warning": S4, "info": S6},
		EnvLabel:     DefaultEnvLabel,
		Unknown:      S5,
		Responses:    DefaultResponses(),
		Unclassified: DefaultUnclassified(),
	}
}

// Where a service level comes from, as Classification.ServiceFrom says.
const (
	// ServiceFromLabel: the label service_level.
	ServiceFromLabel = LabelServiceLevel
	// ServiceFromCatalog: the policy's Catalog.
	ServiceFromCatalog = "catalog"
)

// Classification is what the Policy makes of an alert.
type Classification struct {
	Level        Level
	ServiceLevel ServiceLevel
	// Unclassified reports that nothing gave the alert a service level:
	// ServiceLevel is None, and the response comes from the policy's
	// Unclassified row rather than from the None row.
	Unclassified bool
	Response     Response
	// Hold is how long a pending alert is held before it may page.
	Hold time.Duration
	// From names what gave the level: the label severity_level,
	// "impact×likelihood", the label severity, or "unknown".
	From string
	// Milder is the environment's adjustment that was applied.
	Milder int
	// ServiceFrom names what gave the service level: ServiceFromLabel,
	// ServiceFromCatalog, or "" when nothing did (Unclassified).
	ServiceFrom string
	// Reason says in one line why the alert gets its response, for a log:
	//
	//	severity=critical → S2; no service level → unclassified S2: page 10m, hold 2m
	//	severity_level=1 → S1; env=dev 2 levels milder → S3; service_level=gold → gold S3: page 30m, hold 5m
	//
	// Its wording may change; branch on the other fields.
	Reason string
}

// Cell returns the cell of the response tables that gave the response.
func (c Classification) Cell() Cell {
	if c.Unclassified {
		return Cell{Unclassified: true, Level: c.Level}
	}
	return Cell{ServiceLevel: c.ServiceLevel, Level: c.Level}
}

// Classify decides the level and service level of an alert from its labels:
// the level from severity_level if set, else from impact and likelihood (or
// likehood), else from severity, else Unknown; then made milder for its
// environment. The service level comes from the label service_level, else
// from Catalog; an alert that gets none from either is unclassified, and
// its response is Unclassified's.
//
// A label that is set but wrong (severity_level="S12", impact="huge") is
// reported in the error, which names it; the classification goes on with
// the next source, so the result is always usable.
func (p *Policy) Classify(ls model.LabelSet) (Classification, error) {
	var c Classification
	var errs []error
	var why string // what gave the level
	bad := func(label string, err error) { errs = append(errs, fmt.Errorf("label %s: %w", label, err)) }

	if v, ok := ls[LabelLevel]; ok {
		if l, err := ParseLevel(string(v)); err != nil {
			bad(LabelLevel, err)
		} else {
			c.Level, c.From = l, LabelLevel
			why = fmt.Sprintf("%s=%s → %s", LabelLevel, v, l)
		}
	}
	if c.Level == 0 {
		if l, matrixWhy, err := p.fromMatrix(ls); err != nil {
			errs = append(errs, err)
		} else if l != 0 {
			c.Level, c.From, why = l, "impact×likelihood", matrixWhy
		}
	}
	if c.Level == 0 {
		if v, ok := ls[LabelSeverity]; ok {
			if l, found := p.Severities[strings.ToLower(string(v))]; found {
				c.Level, c.From = l, LabelSeverity
				why = fmt.Sprintf("%s=%s → %s", LabelSeverity, v, l)
			} else {
				bad(LabelSeverity, fmt.Errorf("unknown severity %q (the policy knows %s)", v, strings.Join(p.severityNames(), ", ")))
			}
		}
	}
	if c.Level == 0 {
		c.Level, c.From = p.Unknown, "unknown"
		why = fmt.Sprintf("no level from the labels → %s (unknown)", p.Unknown)
	}
	envLabel := cmpOr(p.EnvLabel, DefaultEnvLabel)
	if env := ls[model.LabelName(envLabel)]; p.Environments[string(env)] != 0 {
		k := p.Environments[string(env)]
		c.Level, c.Milder = c.Level.Milder(k), k
		why += fmt.Sprintf("; %s=%s %s → %s", envLabel, env, milder(k), c.Level)
	}

	if v, ok := ls[LabelServiceLevel]; ok {
		if sl, err := ParseServiceLevel(string(v)); err != nil {
			bad(LabelServiceLevel, err)
		} else {
			c.ServiceLevel, c.ServiceFrom = sl, ServiceFromLabel
		}
	}
	if c.ServiceFrom == "" && p.Catalog != nil {
		if sl, found := p.Catalog(ls); found {
			c.ServiceLevel, c.ServiceFrom = sl, ServiceFromCatalog
		}
	}
	c.Unclassified = c.ServiceFrom == ""
	p.decide(&c, why)
	return c, errors.Join(errs...)
}

// WithLevel returns a classification with another level — as a triage rule
// sets it — and the response and hold that go with it.
func (p *Policy) WithLevel(c Classification, l Level) Classification {
	why := fmt.Sprintf("set to %s (was %s)", l, c.Level)
	c.Level = l
	p.decide(&c, why)
	return c
}

// Response returns the response of a cell: from Unclassified for an
// unclassified one, else from Responses; retrospective for an unknown level.
func (p *Policy) Response(c Cell) Response {
	if c.Unclassified {
		if !c.Level.Valid() {
			return Response{}
		}
		return p.Unclassified[c.Level-1]
	}
	return p.Responses.Response(c.ServiceLevel, c.Level)
}

// Hold returns the pending hold of a cell: Holds', else DefaultHold of its
// response.
func (p *Policy) Hold(c Cell) time.Duration {
	if d, ok := p.Holds[c]; ok {
		return d
	}
	return DefaultHold(p.Response(c))
}

// decide sets the response, hold and reason of a classification whose
// level and service level are known; why says what gave the level.
func (p *Policy) decide(c *Classification, why string) {
	cell := c.Cell()
	c.Response = p.Response(cell)
	c.Hold = p.Hold(cell)
	var service string
	switch {
	case c.Unclassified:
		service = "no service level"
	case c.ServiceFrom == ServiceFromCatalog:
		service = "service catalogue"
	default:
		service = LabelServiceLevel + "=" + c.ServiceLevel.String()
	}
	c.Reason = why + "; " + service + " → " + cell.String() + ": " + c.Response.String()
	if c.Response.Mode != ModeRetrospective || c.Hold != 0 {
		c.Reason += ", hold " + FormatDuration(c.Hold)
		if _, set := p.Holds[cell]; set {
			c.Reason += " (set in holds)"
		}
	}
}

// milder says how an environment moves a level: "2 levels milder", "1
// level worse".
func milder(k int) string {
	word, n := "milder", k
	if k < 0 {
		word, n = "worse", -k
	}
	if n == 1 {
		return "1 level " + word
	}
	return strconv.Itoa(n) + " levels " + word
}

func (p *Policy) fromMatrix(ls model.LabelSet) (Level, string, error) {
	impact, hasImpact := ls[LabelImpact]
	likelihood, hasLikelihood := ls[LabelLikelihood]
	label := LabelLikelihood
	if !hasLikelihood {
		likelihood, hasLikelihood = ls[LabelLikehood]
		label = LabelLikehood
	}
	switch {
	case !hasImpact && !hasLikelihood:
		return 0, "", nil
	case !hasImpact:
		return 0, "", fmt.Errorf("label %s: set without impact", label)
	case !hasLikelihood:
		return 0, "", fmt.Errorf("label %s: set without likelihood", LabelImpact)
	}
	i, err := ParseImpact(string(impact))
	if err != nil {
		return 0, "", fmt.Errorf("label %s: %w", LabelImpact, err)
	}
	l, err := ParseLikelihood(string(likelihood))
	if err != nil {
		return 0, "", fmt.Errorf("label %s: %w", label, err)
	}
	lv := p.Matrix.Level(i, l)
	return lv, fmt.Sprintf("%s=%s × %s=%s → %s", LabelImpact, impact, label, likelihood, lv), nil
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
