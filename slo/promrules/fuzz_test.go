package promrules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/slo/promrules"
)

// addFiles seeds a fuzzer with the files of a testdata folder.
func addFiles(f *testing.F, dir string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkSpecs holds what an import promises: an error names the file; a
// spec has a valid objective and SLI, and what Generate makes of it is a
// rule file.
func checkSpecs(t *testing.T, specs []promrules.Spec, err error) {
	if err != nil {
		if !strings.HasPrefix(err.Error(), "fuzz.yml") {
			t.Fatalf("the error does not name the file: %v", err)
		}
		return
	}
	for _, s := range specs {
		if err := s.Objective.Validate(); err != nil {
			t.Fatalf("imported an invalid objective: %v", err)
		}
		if err := s.SLI.Validate(); err != nil {
			t.Fatalf("imported an invalid SLI: %v", err)
		}
		f, err := s.Generate()
		if err != nil {
			continue // the default windows may not suit the objective
		}
		if _, err := f.YAML(); err != nil {
			t.Fatalf("YAML: %v", err)
		}
	}
}

// FuzzImportSloth feeds Sloth specs to ImportSloth. The seed corpus is
// testdata/sloth and testdata/fuzz/FuzzImportSloth.
func FuzzImportSloth(f *testing.F) {
	addFiles(f, "sloth")
	f.Add([]byte("version: prometheus/v1\nservice: s\nslos:\n- name: a\n  objective: 99\n  sli: {raw: {error_ratio_query: 'x[{{.window}}]'}}\n"))
	f.Add([]byte("version: prometheus/v1\nservice: s\nlabels: {team: t}\nslos:\n- name: a\n  objective: 99.9\n  sli: {events: {error_query: 'e[{{.window}}]', total_query: 't[{{.window}}]'}}\n  alerting: {name: A, page_alert: {disable: true}, ticket_alert: {labels: {severity: info}}}\n  interval: {all: 1m}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := promrules.ImportSloth(data, "fuzz.yml")
		checkSpecs(t, specs, err)
	})
}

// FuzzImportOpenSLO feeds OpenSLO documents to ImportOpenSLO. The seed
// corpus is testdata/openslo and testdata/fuzz/FuzzImportOpenSLO.
func FuzzImportOpenSLO(f *testing.F) {
	addFiles(f, "openslo")
	f.Add([]byte("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  budgetingMethod: Occurrences\n  objectives: [{target: 0.99}]\n  indicator: {spec: {ratioMetric: {good: {metricSource: {type: Prometheus, spec: {query: x}}}, total: {metricSource: {type: Prometheus, spec: {query: 'sum(y)'}}}}}}\n"))
	f.Add([]byte("- apiVersion: openslo/v1\n  kind: SLI\n  metadata: {name: i}\n  spec: {ratioMetric: {rawType: failure, raw: {metricSource: {metricSourceRef: p, spec: {query: 'r[{{.window}}]'}}}}}\n- apiVersion: openslo/v1\n  kind: DataSource\n  metadata: {name: p}\n  spec: {type: Prometheus}\n- apiVersion: openslo/v1\n  kind: SLO\n  metadata: {name: a, labels: {x.y: [1, 2]}}\n  spec: {indicatorRef: i, budgetingMethod: Occurrences, timeWindow: [{duration: 2w}], objectives: [{targetPercent: 95, displayName: A}, {target: 0.9}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := promrules.ImportOpenSLO(data, "fuzz.yml")
		checkSpecs(t, specs, err)
	})
}

// FuzzSeries feeds scenario series to Labels and Samples.
func FuzzSeries(f *testing.F) {
	for _, sc := range promrules.TechShopScenarios() {
		for _, s := range sc.Series {
			f.Add(s.Metric, s.Values)
		}
	}
	f.Add(`{__name__="up", job="a\"b"}`, "1 _x3 stale -Inf 1e3-2.5x4")
	f.Fuzz(func(t *testing.T, metric, values string) {
		s := promrules.Series{Metric: metric, Values: values}
		if m, err := s.Labels(); err == nil && model.LabelSet(m).Validate() != nil {
			t.Fatalf("%q: invalid labels %v", metric, m)
		}
		samples, err := s.Samples(time.Minute)
		if err != nil {
			return
		}
		for i := 1; i < len(samples); i++ {
			if samples[i].At <= samples[i-1].At {
				t.Fatalf("%q: samples out of order: %v", values, samples)
			}
		}
	})
}

// FuzzSLIValidate feeds queries to SLI.Validate: a valid SLI makes an
// error ratio with no placeholder left.
func FuzzSLIValidate(f *testing.F) {
	f.Add(errors5xx, requests, "")
	f.Add("", "", `1 - avg_over_time(up{job="shop"}[{{ .window }}]) # comment "`)
	f.Add(`sum(rate(x{a="}"}[{{.window}}]))`, "sum(rate(y[{{.window}}:1m]))", "")
	f.Fuzz(func(t *testing.T, errQuery, total, ratio string) {
		sli := promrules.SLI{ErrorQuery: errQuery, TotalQuery: total, ErrorRatioQuery: ratio}
		if sli.Validate() != nil {
			return
		}
		q, err := sli.ErrorRatio(5 * time.Minute)
		if err != nil {
			t.Fatalf("a valid SLI has no error ratio: %v", err)
		}
		if strings.Contains(q, "{{") {
			t.Fatalf("placeholder left in %q", q)
		}
	})
}
