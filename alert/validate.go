package alert

import (
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
)

// Validate checks that the alert can enter a pipeline, with label names of
// the classic Prometheus form [a-zA-Z_][a-zA-Z0-9_]*. The error is a
// *FieldError naming the field ("labels: invalid label name \"1x\"").
func (a *Alert) Validate() error { return a.ValidateNames(model.LegacyValidation) }

// ValidateNames is Validate with label and annotation names checked under
// scheme; model.UTF8Validation accepts any UTF-8 name, as Prometheus 3 does.
//
// An alert is valid when it has at least one label; its label and annotation
// names are valid and its values are UTF-8; it has a StartsAt, and EndsAt and
// RefreshBy, when set, are not before it; and an instant alert has no EndsAt,
// RefreshBy or Pending, since an event has no state.
func (a *Alert) ValidateNames(scheme model.ValidationScheme) error {
	if scheme != model.UTF8Validation {
		scheme = model.LegacyValidation
	}
	if len(a.Labels) == 0 {
		return fieldErr("labels", "empty: an alert needs at least one label")
	}
	if err := validateSet("labels", a.Labels, scheme); err != nil {
		return err
	}
	if err := validateSet("annotations", a.Annotations, scheme); err != nil {
		return err
	}
	if a.Kind > KindInstant {
		return fieldErr("kind", "unknown kind %d", uint8(a.Kind))
	}
	if a.StartsAt.IsZero() {
		return fieldErr("startsAt", "missing")
	}
	if !a.EndsAt.IsZero() && a.EndsAt.Before(a.StartsAt) {
		return fieldErr("endsAt", "%s is before startsAt %s", stamp(a.EndsAt), stamp(a.StartsAt))
	}
	if !a.RefreshBy.IsZero() && a.RefreshBy.Before(a.StartsAt) {
		return fieldErr("refreshBy", "%s is before startsAt %s", stamp(a.RefreshBy), stamp(a.StartsAt))
	}
	if a.Kind == KindInstant {
		switch {
		case !a.EndsAt.IsZero():
			return fieldErr("endsAt", "set on an instant alert, which never ends")
		case !a.RefreshBy.IsZero():
			return fieldErr("refreshBy", "set on an instant alert, which is never refreshed")
		case a.Pending:
			return fieldErr("pending", "set on an instant alert, which has no state")
		}
	}
	if a.GeneratorURL != "" {
		if _, err := url.Parse(a.GeneratorURL); err != nil {
			return fieldErr("generatorURL", "invalid URL %q", a.GeneratorURL)
		}
	}
	return nil
}

// validateSet checks the names and values of a label set, in sorted order so
// that the first error reported does not depend on map iteration.
func validateSet(path string, ls model.LabelSet, scheme model.ValidationScheme) error {
	var bad []model.LabelName
	for name, value := range ls {
		if !scheme.IsValidLabelName(string(name)) || !utf8.ValidString(string(value)) {
			bad = append(bad, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	name := bad[0]
	if !scheme.IsValidLabelName(string(name)) {
		return fieldErr(path, "invalid label name %q", name)
	}
	return fieldErr(joinPath(path, string(name)), "value is not valid UTF-8")
}

func stamp(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.999Z07:00")
}
