package promrules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/slo"
)

// Spec is an imported objective: what Generate needs.
type Spec struct {
	Objective slo.Objective
	SLI       SLI
	Options   Options
}

// Generate writes the spec's rules: Generate(&s.Objective, s.SLI, &s.Options).
func (s *Spec) Generate() (*File, error) {
	return Generate(&s.Objective, s.SLI, &s.Options)
}

// SlothVersion is the version of the Sloth specs ImportSloth reads.
const SlothVersion = "prometheus/v1"

// ImportSloth reads Sloth's prometheus/v1 spec — one per YAML document —
// into a Spec per SLO; file names the input in errors. See the package
// documentation for how its fields map, and what is refused.
func ImportSloth(data []byte, file string) ([]Spec, error) {
	r := &reader{file: file}
	docs, err := r.documents(data)
	if err != nil {
		return nil, err
	}
	var specs []Spec
	names := map[string]*yaml.Node{}
	for _, doc := range docs {
		s, err := r.slothSpec(doc, names)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s...)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("%s: no SLO", file)
	}
	return specs, nil
}

func (r *reader) slothSpec(doc *yaml.Node, names map[string]*yaml.Node) ([]Spec, error) {
	f, err := r.mapping(doc, "", "version", "service", "labels", "slos")
	if err != nil {
		return nil, err
	}
	version, err := r.str(f["version"], "version")
	if err != nil {
		return nil, err
	}
	if version != SlothVersion {
		if f["version"] == nil {
			return nil, r.errf(doc, "version", "missing (want %s)", SlothVersion)
		}
		return nil, r.errf(f["version"], "version", "%q: want %s", version, SlothVersion)
	}
	service, err := r.str(f["service"], "service")
	if err != nil {
		return nil, err
	}
	if service == "" {
		return nil, r.errf(keyNode(doc, "service"), "service", "missing")
	}
	labels, err := r.labels(f["labels"], "labels", false)
	if err != nil {
		return nil, err
	}
	if err := r.service(labels, service, f["labels"], "labels"); err != nil {
		return nil, err
	}
	list, err := r.list(f["slos"], "slos")
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, r.errf(keyNode(doc, "slos"), "slos", "no SLO")
	}
	var specs []Spec
	for i, n := range list {
		s, err := r.slothSLO(n, fmt.Sprintf("slos[%d]", i), labels, names, service)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

func (r *reader) slothSLO(n *yaml.Node, path string, common model.LabelSet, names map[string]*yaml.Node, service string) (Spec, error) {
	var s Spec
	f, err := r.mapping(n, path, "name", "objective", "description", "labels", "infoLabels", "sli", "alerting", "interval")
	if err != nil {
		return s, err
	}
	if s.Objective.Name, err = r.str(f["name"], path+".name"); err != nil {
		return s, err
	}
	if s.Objective.Name == "" {
		return s, r.errf(keyNode(n, "name"), path+".name", "missing")
	}
	key := service + "/" + s.Objective.Name
	if first, dup := names[key]; dup {
		return s, r.errf(f["name"], path+".name", "%q: the name of the SLO on line %d too", s.Objective.Name, first.Line)
	}
	names[key] = f["name"]
	if f["objective"] == nil {
		return s, r.errf(n, path+".objective", "missing (want a percentage such as 99.9)")
	}
	pct, err := r.number(f["objective"], path+".objective")
	if err != nil {
		return s, err
	}
	if !(pct > 0 && pct < 100) {
		return s, r.errf(f["objective"], path+".objective", "%v: want a percentage in (0, 100), such as 99.9", pct)
	}
	s.Objective.Target = share(pct / 100)
	if s.Objective.Description, err = r.str(f["description"], path+".description"); err != nil {
		return s, err
	}
	own, err := r.labels(f["labels"], path+".labels", false)
	if err != nil {
		return s, err
	}
	s.Objective.Labels = common.Clone()
	for k, v := range own {
		s.Objective.Labels[k] = v
	}
	if err := r.service(s.Objective.Labels, service, f["labels"], path+".labels"); err != nil {
		return s, err
	}
	if f["infoLabels"] != nil {
		return s, r.errf(keyNode(n, "infoLabels"), path+".infoLabels", "not imported: alertkit writes no info series; move them to labels")
	}
	if f["sli"] == nil {
		return s, r.errf(n, path+".sli", "missing")
	}
	if s.SLI, err = r.slothSLI(f["sli"], path+".sli"); err != nil {
		return s, err
	}
	if err := r.slothAlerting(f["alerting"], path+".alerting", &s.Options); err != nil {
		return s, err
	}
	if err := r.slothInterval(f["interval"], path+".interval", &s.Options); err != nil {
		return s, err
	}
	return s, nil
}

// share rounds a share to 12 decimals: 99.9 / 100 is 0.999, not
// 0.9990000000000001.
func share(v float64) float64 { return math.Round(v*1e12) / 1e12 }

func (r *reader) slothSLI(n *yaml.Node, path string) (SLI, error) {
	var sli SLI
	f, err := r.mapping(n, path, "events", "raw", "plugin")
	if err != nil {
		return sli, err
	}
	switch {
	case f["plugin"] != nil:
		id := ""
		if p, err := r.mapping(f["plugin"], path+".plugin", "id", "options"); err == nil {
			id, _ = r.str(p["id"], path+".plugin.id")
		}
		return sli, r.errf(keyNode(n, "plugin"), path+".plugin", "SLI plugins (%q) run inside Sloth and cannot be imported: write the plugin's queries as sli.events", id)
	case f["events"] != nil && f["raw"] != nil:
		return sli, r.errf(keyNode(n, "raw"), path, "events and raw: give one of them")
	case f["events"] != nil:
		ev, err := r.mapping(f["events"], path+".events", "error_query", "total_query")
		if err != nil {
			return sli, err
		}
		if sli.ErrorQuery, err = r.query(ev, f["events"], path+".events", "error_query", true); err != nil {
			return sli, err
		}
		if sli.TotalQuery, err = r.query(ev, f["events"], path+".events", "total_query", true); err != nil {
			return sli, err
		}
	case f["raw"] != nil:
		raw, err := r.mapping(f["raw"], path+".raw", "error_ratio_query")
		if err != nil {
			return sli, err
		}
		if sli.ErrorRatioQuery, err = r.query(raw, f["raw"], path+".raw", "error_ratio_query", true); err != nil {
			return sli, err
		}
	default:
		return sli, r.errf(n, path, "want events (error_query and total_query) or raw (error_ratio_query)")
	}
	return sli, nil
}

// query reads and checks a query with the window placeholder.
func (r *reader) query(f map[string]*yaml.Node, parent *yaml.Node, path, key string, required bool) (string, error) {
	p := join(path, key)
	q, err := r.str(f[key], p)
	if err != nil {
		return "", err
	}
	if q == "" {
		if !required {
			return "", nil
		}
		return "", r.errf(keyNode(parent, key), p, "missing")
	}
	if err := checkQuery(q); err != nil {
		return "", r.wrap(f[key], p, err)
	}
	return q, nil
}

func (r *reader) slothAlerting(n *yaml.Node, path string, opts *Options) error {
	f, err := r.mapping(n, path, "name", "labels", "annotations", "page_alert", "ticket_alert")
	if err != nil {
		return err
	}
	if opts.AlertName, err = r.str(f["name"], path+".name"); err != nil {
		return err
	}
	if opts.AlertName != "" && !model.LegacyValidation.IsValidMetricName(opts.AlertName) {
		return r.errf(f["name"], path+".name", "%q: want a metric name such as AvailabilityBudgetBurn", opts.AlertName)
	}
	if opts.Labels, err = r.labels(f["labels"], path+".labels", false); err != nil {
		return err
	}
	if opts.Annotations, err = r.annotations(f["annotations"], path+".annotations"); err != nil {
		return err
	}
	for _, a := range []struct {
		key string
		ao  *AlertOptions
	}{{"page_alert", &opts.Page}, {"ticket_alert", &opts.Ticket}} {
		p := path + "." + a.key
		af, err := r.mapping(f[a.key], p, "disable", "labels", "annotations")
		if err != nil {
			return err
		}
		if af["disable"] != nil {
			if a.ao.Disable, err = r.boolean(af["disable"], p+".disable"); err != nil {
				return err
			}
		}
		if a.ao.Labels, err = r.labels(af["labels"], p+".labels", true); err != nil {
			return err
		}
		if a.ao.Annotations, err = r.annotations(af["annotations"], p+".annotations"); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) slothInterval(n *yaml.Node, path string, opts *Options) error {
	f, err := r.mapping(n, path, "all", "slierror", "metadata", "alert")
	if err != nil {
		return err
	}
	for _, k := range []string{"slierror", "metadata", "alert"} {
		if f[k] != nil {
			return r.errf(f[k], path+"."+k, "alertkit writes one rule group per SLO: give its interval as %s.all", path)
		}
	}
	if f["all"] == nil {
		return nil
	}
	s, err := r.str(f["all"], path+".all")
	if err != nil {
		return err
	}
	d, err := model.ParseDuration(s)
	if err != nil || d <= 0 {
		return r.errf(f["all"], path+".all", "%q: want a duration such as 30s or 1m", s)
	}
	opts.Interval = time.Duration(d)
	return nil
}

// labels reads labels, refusing invalid names and the slo label, which
// alertkit sets; severity only alerts' own labels may set.
func (r *reader) labels(n *yaml.Node, path string, severity bool) (model.LabelSet, error) {
	entries, err := r.stringMap(n, path, false)
	if err != nil {
		return nil, err
	}
	ls := model.LabelSet{}
	for _, e := range entries {
		if err := r.labelName(e, path, severity); err != nil {
			return nil, err
		}
		ls[model.LabelName(e.key)] = model.LabelValue(e.value)
	}
	return ls, nil
}

func (r *reader) labelName(e entry, path string, severity bool) error {
	p := join(path, e.key)
	switch {
	case !model.LegacyValidation.IsValidLabelName(e.key) || strings.HasPrefix(e.key, "__"):
		return r.errf(e.node, p, "invalid label name: want letters, digits and underscores, not starting with a digit or __")
	case e.key == LabelSLO:
		return r.errf(e.node, p, "alertkit sets the slo label to the SLO's name")
	case e.key == "severity" && !severity:
		return r.errf(e.node, p, "alertkit sets severity per alert (critical for the page, warning for the ticket); change it in the page's or the ticket's labels")
	}
	return nil
}

func (r *reader) annotations(n *yaml.Node, path string) (model.LabelSet, error) {
	entries, err := r.stringMap(n, path, false)
	if err != nil {
		return nil, err
	}
	ls := model.LabelSet{}
	for _, e := range entries {
		if !model.LegacyValidation.IsValidLabelName(e.key) {
			return nil, r.errf(e.node, join(path, e.key), "invalid annotation name: want letters, digits and underscores, not starting with a digit")
		}
		ls[model.LabelName(e.key)] = model.LabelValue(e.value)
	}
	return ls, nil
}

// service puts the service in the labels, refusing a service label that
// says otherwise.
func (r *reader) service(ls model.LabelSet, service string, n *yaml.Node, path string) error {
	if service == "" {
		return nil
	}
	if v, ok := ls["service"]; ok && string(v) != service {
		return r.errf(keyNode(n, "service"), path+".service", "%s, but the service is %s", strconv.Quote(string(v)), strconv.Quote(service))
	}
	ls["service"] = model.LabelValue(service)
	return nil
}
