package promrules

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// SLI says how to measure an objective's events in PromQL, in one of three
// forms:
//
//   - ErrorQuery and TotalQuery: the rates of bad events and of all events;
//   - GoodQuery and TotalQuery: the rates of good events and of all events;
//   - ErrorRatioQuery: the error ratio itself.
//
// Every query has the placeholder {{.window}} where the range goes, as
// Sloth's do: sum(rate(http_requests_total{code=~"5.."}[{{.window}}])).
// The rules put each alerting window's duration there.
type SLI struct {
	ErrorQuery      string `json:"error_query,omitempty" yaml:"error_query,omitempty"`
	GoodQuery       string `json:"good_query,omitempty" yaml:"good_query,omitempty"`
	TotalQuery      string `json:"total_query,omitempty" yaml:"total_query,omitempty"`
	ErrorRatioQuery string `json:"error_ratio_query,omitempty" yaml:"error_ratio_query,omitempty"`
}

// Validate checks that the SLI has exactly one form and that each query
// has the placeholder and balanced brackets, parentheses, braces and
// quotes — a light sanity check, not a PromQL parser; Prometheus (or
// promtool check rules) has the last word. Errors name the field and the
// byte offset in its query:
//
//	sli: total_query: offset 29: "(" is never closed
func (s SLI) Validate() error {
	if err := s.form(); err != nil {
		return err
	}
	var errs []error
	for _, f := range s.fields() {
		if f.query == "" {
			continue
		}
		if err := checkQuery(f.query); err != nil {
			errs = append(errs, fmt.Errorf("sli: %s: %w", f.name, err))
		}
	}
	return errors.Join(errs...)
}

// form checks that exactly one of the three forms is given.
func (s SLI) form() error {
	switch {
	case s.ErrorRatioQuery != "" && (s.ErrorQuery != "" || s.GoodQuery != "" || s.TotalQuery != ""):
		return errors.New("sli: error_ratio_query is a whole ratio: give it alone, without error_query, good_query or total_query")
	case s.ErrorRatioQuery != "":
		return nil
	case s.ErrorQuery != "" && s.GoodQuery != "":
		return errors.New("sli: error_query and good_query: give one of them, not both")
	case s.ErrorQuery == "" && s.GoodQuery == "" && s.TotalQuery == "":
		return errors.New("sli: empty: give error_query and total_query, good_query and total_query, or error_ratio_query")
	case s.TotalQuery == "":
		return fmt.Errorf("sli: total_query: missing (%s needs it)", map[bool]string{true: "error_query", false: "good_query"}[s.ErrorQuery != ""])
	case s.ErrorQuery == "" && s.GoodQuery == "":
		return errors.New("sli: total_query needs error_query or good_query")
	}
	return nil
}

type field struct{ name, query string }

func (s SLI) fields() []field {
	return []field{{"error_query", s.ErrorQuery}, {"good_query", s.GoodQuery}, {"total_query", s.TotalQuery}, {"error_ratio_query", s.ErrorRatioQuery}}
}

// ErrorRatio returns the PromQL of the error ratio over a window: bad
// events over all events, one minus good events over all events, or the
// ratio query, with the window's duration in place of {{.window}}.
func (s SLI) ErrorRatio(window time.Duration) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	w, err := promDuration(window)
	if err != nil {
		return "", fmt.Errorf("sli: window: %w", err)
	}
	return s.errorRatio(w), nil
}

func (s SLI) errorRatio(w string) string {
	switch {
	case s.ErrorRatioQuery != "":
		return expand(s.ErrorRatioQuery, w)
	case s.ErrorQuery != "":
		return ratio("", expand(s.ErrorQuery, w), expand(s.TotalQuery, w))
	}
	return ratio("1 - ", expand(s.GoodQuery, w), expand(s.TotalQuery, w))
}

// ratio writes (num) / (den) on one line, or over three when either is
// written over several.
func ratio(prefix, num, den string) string {
	if strings.Contains(num, "\n") || strings.Contains(den, "\n") {
		s := "(\n" + indent(num) + "\n)\n/\n(\n" + indent(den) + "\n)"
		if prefix != "" {
			return prefix + "(\n" + indent(s) + "\n)"
		}
		return s
	}
	s := "(" + num + ") / (" + den + ")"
	if prefix != "" {
		return prefix + "(" + s + ")"
	}
	return s
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
