package severity_test

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/severity"
)

// FuzzParsePolicy feeds policies to ParsePolicy: no panic, and a policy that
// parses writes YAML that parses back to it, the same. The seed corpus is
// in testdata/fuzz/FuzzParsePolicy.
func FuzzParsePolicy(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := severity.ParsePolicy(data)
		if err != nil {
			return
		}
		out, err := yaml.Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := severity.ParsePolicy(out)
		if err != nil {
			t.Fatalf("a parsed policy does not parse back: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(p, back) {
			t.Fatalf("a parsed policy parses back to another:\n%s", out)
		}
	})
}

// FuzzParseResponse feeds cells of the response matrix to ParseResponse.
func FuzzParseResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		r, err := severity.ParseResponse(s)
		if err != nil {
			return
		}
		back, err := severity.ParseResponse(r.String())
		if err != nil || back != r {
			t.Fatalf("%q → %v → %q → %v, %v", s, r, r.String(), back, err)
		}
	})
}
