package promrules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/slo"
)

// OpenSLOVersion is the apiVersion of the OpenSLO documents ImportOpenSLO
// reads.
const OpenSLOVersion = "openslo/v1"

// openSLOKinds are the kinds of OpenSLO v1; only SLO, SLI and DataSource
// documents are read.
var openSLOKinds = []string{"SLO", "SLI", "DataSource", "Service", "AlertPolicy", "AlertCondition", "AlertNotificationTarget"}

// object is an OpenSLO document: its kind, name, and nodes.
type object struct {
	kind, name string
	doc        *yaml.Node
	metadata   map[string]*yaml.Node
	meta, spec *yaml.Node
}

// ImportOpenSLO reads OpenSLO v1 documents — a multi-document YAML stream,
// or a list of documents — into a Spec per objective of each SLO; file
// names the input in errors. An SLO's indicator is inline, or an SLI
// document of the same input named by indicatorRef. See the package
// documentation for how its fields map, and what is refused.
func ImportOpenSLO(data []byte, file string) ([]Spec, error) {
	r := &reader{file: file}
	docs, err := r.documents(data)
	if err != nil {
		return nil, err
	}
	var objects []*object
	byName := map[string]*object{}
	for _, doc := range docs {
		obj, err := r.openSLOObject(doc)
		if err != nil {
			return nil, err
		}
		key := obj.kind + "/" + obj.name
		if first, dup := byName[key]; dup {
			return nil, r.errf(obj.metadata["name"], "metadata.name", "%s %q is defined on line %d already", obj.kind, obj.name, first.doc.Line)
		}
		byName[key] = obj
		objects = append(objects, obj)
	}
	var specs []Spec
	names := map[string]*yaml.Node{}
	for _, obj := range objects {
		if obj.kind != "SLO" {
			continue
		}
		s, err := r.openSLO(obj, byName, names)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s...)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("%s: no SLO document", file)
	}
	return specs, nil
}

func (r *reader) openSLOObject(doc *yaml.Node) (*object, error) {
	f, err := r.mapping(doc, "", "apiVersion", "kind", "metadata", "spec")
	if err != nil {
		return nil, err
	}
	version, err := r.str(f["apiVersion"], "apiVersion")
	if err != nil {
		return nil, err
	}
	switch {
	case version == "":
		return nil, r.errf(doc, "apiVersion", "missing (want %s)", OpenSLOVersion)
	case version != OpenSLOVersion:
		return nil, r.errf(f["apiVersion"], "apiVersion", "%q: want %s", version, OpenSLOVersion)
	}
	obj := &object{doc: doc, meta: f["metadata"], spec: f["spec"]}
	if obj.kind, err = r.str(f["kind"], "kind"); err != nil {
		return nil, err
	}
	known := false
	for _, k := range openSLOKinds {
		known = known || k == obj.kind
	}
	if !known {
		return nil, r.errf(keyNode(doc, "kind"), "kind", "%q: want one of %s", obj.kind, strings.Join(openSLOKinds, ", "))
	}
	if obj.metadata, err = r.mapping(f["metadata"], "metadata"); err != nil {
		return nil, err
	}
	if obj.name, err = r.str(obj.metadata["name"], "metadata.name"); err != nil {
		return nil, err
	}
	if obj.name == "" {
		return nil, r.errf(keyNode(doc, "metadata"), "metadata.name", "missing")
	}
	return obj, nil
}

var shorthandRE = regexp.MustCompile(`^([1-9][0-9]{0,5})([mhdwMQY])$`)

// openSLO reads an SLO document into a Spec per objective.
func (r *reader) openSLO(obj *object, byName map[string]*object, names map[string]*yaml.Node) ([]Spec, error) {
	what := "SLO " + obj.name + ": "
	md, err := r.mapping(obj.meta, what+"metadata", "name", "displayName", "labels", "annotations")
	if err != nil {
		return nil, err
	}
	var base slo.Objective
	base.Labels = model.LabelSet{}
	entries, err := r.stringMap(md["labels"], what+"metadata.labels", true)
	if err != nil {
		return nil, err
	}
	if err := r.openSLOLabels(base.Labels, entries, what+"metadata.labels"); err != nil {
		return nil, err
	}
	f, err := r.mapping(obj.spec, what+"spec", "description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod", "objectives", "alertPolicies")
	if err != nil {
		return nil, err
	}
	specNode := func(key string) *yaml.Node {
		if f[key] != nil {
			return f[key]
		}
		return keyNode(obj.doc, "spec")
	}
	if base.Description, err = r.str(f["description"], what+"spec.description"); err != nil {
		return nil, err
	}
	if base.Description == "" {
		if base.Description, err = r.str(md["displayName"], what+"metadata.displayName"); err != nil {
			return nil, err
		}
	}
	service, err := r.str(f["service"], what+"spec.service")
	if err != nil {
		return nil, err
	}
	if err := r.service(base.Labels, service, md["labels"], what+"metadata.labels"); err != nil {
		return nil, err
	}
	if base.Period, err = r.timeWindow(f["timeWindow"], what+"spec.timeWindow"); err != nil {
		return nil, err
	}
	method, err := r.str(f["budgetingMethod"], what+"spec.budgetingMethod")
	if err != nil {
		return nil, err
	}
	switch method {
	case "Occurrences":
	case "":
		return nil, r.errf(specNode("budgetingMethod"), what+"spec.budgetingMethod", "missing (want Occurrences)")
	case "Timeslices", "RatioTimeslices":
		return nil, r.errf(f["budgetingMethod"], what+"spec.budgetingMethod", "%s: not imported: alertkit's rules budget events (Occurrences), not good time slices", method)
	default:
		return nil, r.errf(f["budgetingMethod"], what+"spec.budgetingMethod", "%q: want Occurrences", method)
	}
	sli, err := r.indicator(f, specNode, what, byName)
	if err != nil {
		return nil, err
	}
	objectives, err := r.list(f["objectives"], what+"spec.objectives")
	if err != nil {
		return nil, err
	}
	if len(objectives) == 0 {
		return nil, r.errf(specNode("objectives"), what+"spec.objectives", "missing")
	}
	var specs []Spec
	for i, n := range objectives {
		path := fmt.Sprintf("%sspec.objectives[%d]", what, i)
		of, err := r.mapping(n, path, "displayName", "op", "value", "target", "targetPercent", "timeSliceTarget", "timeSliceWindow")
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"op", "value"} {
			if of[k] != nil {
				return nil, r.errf(of[k], path+"."+k, "not imported: thresholds of a thresholdMetric are not events; alertkit imports ratioMetric SLIs")
			}
		}
		for _, k := range []string{"timeSliceTarget", "timeSliceWindow"} {
			if of[k] != nil {
				return nil, r.errf(of[k], path+"."+k, "not imported: alertkit's rules budget events (Occurrences), not time slices")
			}
		}
		o := base
		o.Labels = base.Labels.Clone()
		switch {
		case of["target"] != nil && of["targetPercent"] != nil:
			return nil, r.errf(of["targetPercent"], path, "target and targetPercent: give one of them")
		case of["target"] != nil:
			t, err := r.number(of["target"], path+".target")
			if err != nil {
				return nil, err
			}
			if !(t > 0 && t < 1) {
				return nil, r.errf(of["target"], path+".target", "%v: want a share in (0, 1), such as 0.999", t)
			}
			o.Target = t
		case of["targetPercent"] != nil:
			t, err := r.number(of["targetPercent"], path+".targetPercent")
			if err != nil {
				return nil, err
			}
			if !(t > 0 && t < 100) {
				return nil, r.errf(of["targetPercent"], path+".targetPercent", "%v: want a percentage in (0, 100), such as 99.9", t)
			}
			o.Target = share(t / 100)
		default:
			return nil, r.errf(n, path, "want target or targetPercent")
		}
		display, err := r.str(of["displayName"], path+".displayName")
		if err != nil {
			return nil, err
		}
		o.Name = obj.name
		if len(objectives) > 1 {
			suffix := slug(display)
			if suffix == "" {
				suffix = strconv.Itoa(i + 1)
			}
			o.Name += "-" + suffix
		}
		key := service + "/" + o.Name
		if first, dup := names[key]; dup {
			return nil, r.errf(n, path, "its name %q is that of the objective on line %d too", o.Name, first.Line)
		}
		names[key] = n
		specs = append(specs, Spec{Objective: o, SLI: sli})
	}
	return specs, nil
}

// openSLOLabels puts OpenSLO labels into Prometheus labels: characters a
// label name cannot hold (the dots and dashes of Kubernetes-style keys)
// become underscores; a list of values is joined by commas.
func (r *reader) openSLOLabels(ls model.LabelSet, entries []entry, path string) error {
	from := map[model.LabelName]string{}
	for _, e := range entries {
		name := sanitize(e.key)
		if prev, dup := from[name]; dup {
			return r.errf(e.node, join(path, e.key), "is label %s, as %s is", name, prev)
		}
		from[name] = e.key
		if err := r.labelName(entry{string(name), e.value, e.node}, path, false); err != nil {
			return err
		}
		ls[name] = model.LabelValue(e.value)
	}
	return nil
}

func sanitize(key string) model.LabelName {
	b := []byte(key)
	for i, c := range b {
		if !isNameChar(c) {
			b[i] = '_'
		}
	}
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		b = append([]byte{'_'}, b...)
	}
	return model.LabelName(b)
}

// slug makes a display name part of an objective's name: "Fast Reads" is
// "fast-reads".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// timeWindow reads the one rolling window; none means slo.DefaultPeriod.
func (r *reader) timeWindow(n *yaml.Node, path string) (time.Duration, error) {
	list, err := r.list(n, path)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	if len(list) > 1 {
		return 0, r.errf(list[1], path, "%d windows: want exactly one", len(list))
	}
	p := path + "[0]"
	f, err := r.mapping(list[0], p, "duration", "isRolling", "calendar")
	if err != nil {
		return 0, err
	}
	rolling := f["calendar"] == nil
	if f["isRolling"] != nil {
		if rolling, err = r.boolean(f["isRolling"], p+".isRolling"); err != nil {
			return 0, err
		}
	}
	if !rolling || f["calendar"] != nil {
		at := f["calendar"]
		if at == nil {
			at = f["isRolling"]
		}
		return 0, r.errf(at, p, "calendar-aligned windows are not imported: alertkit's rules compute rolling windows (isRolling: true)")
	}
	s, err := r.str(f["duration"], p+".duration")
	if err != nil {
		return 0, err
	}
	m := shorthandRE.FindStringSubmatch(s)
	if m == nil {
		if f["duration"] == nil {
			return 0, r.errf(list[0], p+".duration", "missing")
		}
		return 0, r.errf(f["duration"], p+".duration", "%q: want a number and a unit, such as 28d or 4w", s)
	}
	count, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	if unit == 0 {
		return 0, r.errf(f["duration"], p+".duration", "%q: months, quarters and years have no fixed length: give days or weeks, such as 30d or 4w", s)
	}
	return time.Duration(count) * unit, nil
}

// indicator reads the SLO's SLI: inline, or the SLI document indicatorRef
// names.
func (r *reader) indicator(f map[string]*yaml.Node, specNode func(string) *yaml.Node, what string, byName map[string]*object) (SLI, error) {
	switch {
	case f["indicator"] != nil && f["indicatorRef"] != nil:
		return SLI{}, r.errf(f["indicatorRef"], what+"spec", "indicator and indicatorRef: give one of them")
	case f["indicator"] != nil:
		ind, err := r.mapping(f["indicator"], what+"spec.indicator", "metadata", "spec")
		if err != nil {
			return SLI{}, err
		}
		if ind["spec"] == nil {
			return SLI{}, r.errf(f["indicator"], what+"spec.indicator.spec", "missing")
		}
		return r.sliSpec(ind["spec"], what+"spec.indicator.spec", byName)
	case f["indicatorRef"] != nil:
		name, err := r.str(f["indicatorRef"], what+"spec.indicatorRef")
		if err != nil {
			return SLI{}, err
		}
		ref, ok := byName["SLI/"+name]
		if !ok {
			return SLI{}, r.errf(f["indicatorRef"], what+"spec.indicatorRef", "no SLI document named %q in %s", name, r.file)
		}
		if ref.spec == nil {
			return SLI{}, r.errf(ref.doc, "SLI "+name+": spec", "missing")
		}
		return r.sliSpec(ref.spec, "SLI "+name+": spec", byName)
	}
	return SLI{}, r.errf(specNode("indicator"), what+"spec", "want indicator or indicatorRef")
}

func (r *reader) sliSpec(n *yaml.Node, path string, byName map[string]*object) (SLI, error) {
	var sli SLI
	f, err := r.mapping(n, path, "description", "ratioMetric", "thresholdMetric")
	if err != nil {
		return sli, err
	}
	if f["thresholdMetric"] != nil {
		return sli, r.errf(keyNode(n, "thresholdMetric"), path+".thresholdMetric", "not imported: alertkit's rules need a ratio of events (ratioMetric)")
	}
	if f["ratioMetric"] == nil {
		return sli, r.errf(n, path, "want ratioMetric")
	}
	path += ".ratioMetric"
	rm, err := r.mapping(f["ratioMetric"], path, "counter", "good", "bad", "total", "rawType", "raw")
	if err != nil {
		return sli, err
	}
	if rm["raw"] != nil {
		for _, k := range []string{"good", "bad", "total"} {
			if rm[k] != nil {
				return sli, r.errf(rm[k], path+"."+k, "raw is the whole ratio: give it alone")
			}
		}
		q, qn, err := r.metricQuery(rm["raw"], path+".raw", byName)
		if err != nil {
			return sli, err
		}
		if !placeholderRE.MatchString(q) {
			return sli, r.errf(qn, path+".raw.metricSource.spec.query", "a precomputed ratio cannot be summed over alertkit's windows: write it with [%s] where the range goes, as a ratio of rates", Placeholder)
		}
		if err := checkQuery(q); err != nil {
			return sli, r.wrap(qn, path+".raw.metricSource.spec.query", err)
		}
		rawType, err := r.str(rm["rawType"], path+".rawType")
		if err != nil {
			return sli, err
		}
		switch rawType {
		case "failure":
			sli.ErrorRatioQuery = q
		case "success":
			sli.ErrorRatioQuery = "1 - (" + strings.TrimSpace(q) + ")"
		default:
			return sli, r.errf(keyNode(f["ratioMetric"], "rawType"), path+".rawType", "%q: want success or failure", rawType)
		}
		return sli, nil
	}
	if rm["rawType"] != nil {
		return sli, r.errf(rm["rawType"], path+".rawType", "only with raw")
	}
	if rm["counter"] != nil {
		counter, err := r.boolean(rm["counter"], path+".counter")
		if err != nil {
			return sli, err
		}
		if !counter {
			return sli, r.errf(rm["counter"], path+".counter", "false: not imported: alertkit takes rates of counters over its windows; a gauge's samples cannot be summed into events")
		}
	}
	switch {
	case rm["good"] != nil && rm["bad"] != nil:
		return sli, r.errf(rm["bad"], path, "good and bad: give one of them")
	case rm["good"] == nil && rm["bad"] == nil:
		return sli, r.errf(f["ratioMetric"], path, "want good or bad, and total")
	case rm["total"] == nil:
		return sli, r.errf(f["ratioMetric"], path+".total", "missing")
	}
	numKey := "good"
	if rm["bad"] != nil {
		numKey = "bad"
	}
	for _, k := range []string{numKey, "total"} {
		q, qn, err := r.metricQuery(rm[k], path+"."+k, byName)
		if err != nil {
			return sli, err
		}
		rq, err := rateQuery(q)
		if err != nil {
			return sli, r.wrap(qn, path+"."+k+".metricSource.spec.query", err)
		}
		switch k {
		case "good":
			sli.GoodQuery = rq
		case "bad":
			sli.ErrorQuery = rq
		default:
			sli.TotalQuery = rq
		}
	}
	return sli, nil
}

// metricQuery reads a metric's Prometheus query, and its node.
func (r *reader) metricQuery(n *yaml.Node, path string, byName map[string]*object) (string, *yaml.Node, error) {
	f, err := r.mapping(n, path, "metricSource")
	if err != nil {
		return "", nil, err
	}
	if f["metricSource"] == nil {
		return "", nil, r.errf(n, path+".metricSource", "missing")
	}
	path += ".metricSource"
	ms, err := r.mapping(f["metricSource"], path, "metricSourceRef", "type", "spec")
	if err != nil {
		return "", nil, err
	}
	typ, err := r.str(ms["type"], path+".type")
	if err != nil {
		return "", nil, err
	}
	typeNode := ms["type"]
	if typ == "" {
		ref, err := r.str(ms["metricSourceRef"], path+".metricSourceRef")
		if err != nil {
			return "", nil, err
		}
		if ref == "" {
			return "", nil, r.errf(f["metricSource"], path+".type", "missing, and no metricSourceRef to a DataSource (want Prometheus)")
		}
		ds, ok := byName["DataSource/"+ref]
		if !ok {
			return "", nil, r.errf(ms["metricSourceRef"], path+".metricSourceRef", "no DataSource document named %q in %s, and no type (want Prometheus)", ref, r.file)
		}
		dsf, err := r.mapping(ds.spec, "DataSource "+ref+": spec")
		if err != nil {
			return "", nil, err
		}
		if typ, err = r.str(dsf["type"], "DataSource "+ref+": spec.type"); err != nil {
			return "", nil, err
		}
		typeNode = dsf["type"]
		if typ == "" {
			return "", nil, r.errf(ds.doc, "DataSource "+ref+": spec.type", "missing (want Prometheus)")
		}
	}
	if !strings.EqualFold(typ, "Prometheus") {
		return "", nil, r.errf(typeNode, path+".type", "%q: not imported: alertkit writes Prometheus rules, from Prometheus queries", typ)
	}
	spec, err := r.mapping(ms["spec"], path+".spec", "query")
	if err != nil {
		return "", nil, err
	}
	q, err := r.str(spec["query"], path+".spec.query")
	if err != nil {
		return "", nil, err
	}
	if strings.TrimSpace(q) == "" {
		at := ms["spec"]
		if at == nil {
			at = f["metricSource"]
		}
		return "", nil, r.errf(at, path+".spec.query", "missing")
	}
	return q, spec["query"], nil
}
