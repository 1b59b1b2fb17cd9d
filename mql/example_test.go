package mql_test

import (
	"errors"
	"fmt"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/mql"
)

func ExampleParse() {
	q, err := mql.Parse(`project = "horns-and-hooves" and trigger = "IngressResponses5xx" and ~vhost =~ static.*`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	fmt.Println(q.MatchLabels(model.LabelSet{
		"alertname": "IngressResponses5xx",
		"namespace": "horns-and-hooves", // project is read from namespace
		"vhost":     "static.example.com",
	}))
	// Output:
	// project = "horns-and-hooves" AND trigger = "IngressResponses5xx" AND ~vhost =~ "static.*"
	// true
}

func ExampleParseError() {
	_, err := mql.Parse(`project=~horns and trigger=~`)
	fmt.Println(err)

	var pe *mql.ParseError
	if errors.As(err, &pe) {
		fmt.Println("line", pe.Pos.Line, "column", pe.Pos.Column)
	}
	// Output:
	// 1:29: expected a value after "=~", got end of query
	// line 1 column 29
}

func ExampleParse_tooCostly() {
	// Two regular expressions of a thousand letters each: the second
	// would cross the limit, and the query is refused before it is
	// compiled.
	_, err := mql.Parse(`~first =~ "\\pL{1000}" OR ~last =~ "\\pL{1000}"`)
	fmt.Println(err)
	// Output:
	// 1:27: query too costly: the regular expression at 1:11 expands to 1006 instructions, tests 659000 ranges of characters and names 1 Unicode class: a cost of 67006; the whole query may cost at most 131072, and costs 134014 up to here
}

// triggers is a subject with many alerts, each known only by its trigger.
type triggers []string

func (s triggers) Alerts() int { return len(s) }

func (s triggers) Label(i int, name string) (string, bool) {
	if name == "alertname" {
		return s[i], true
	}
	return "", false
}

func (s triggers) Field(int, mql.Field) (mql.Value, bool) { return mql.Value{}, false }

func ExampleSubject() {
	incident := triggers{"IngressErrors5xx", "NodePressureConditions"}
	for _, query := range []string{
		`trigger = NodePressureConditions`,  // some alert has it
		`trigger != NodePressureConditions`, // no alert has it
		`trigger != TargetDown`,
	} {
		fmt.Println(query, "→", mql.MustParse(query).Match(incident))
	}
	// Output:
	// trigger = NodePressureConditions → true
	// trigger != NodePressureConditions → false
	// trigger != TargetDown → true
}

func ExampleParser() {
	p := &mql.Parser{FieldLabels: map[mql.Field][]string{
		mql.FieldProject: {"gitlab_project", "namespace"},
	}}
	q, err := p.Parse(`project = horns-and-hooves AND severity <= S3`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.MatchLabels(model.LabelSet{"gitlab_project": "horns-and-hooves", "severity_level": "2"}))
	fmt.Println(q.MatchLabels(model.LabelSet{"gitlab_project": "horns-and-hooves", "severity_level": "S4"}))
	// Output:
	// true
	// false
}

func ExampleParseMatchers() {
	q, err := mql.ParseMatchers(`{alertname="TargetDown", env=~"prod|stage"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)

	ms, err := mql.MustParse(`~alertname = TargetDown AND ~env IN (prod, stage)`).Matchers()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ms)
	// Output:
	// ~alertname = "TargetDown" AND ~env =~ "prod|stage"
	// {alertname="TargetDown",env=~"prod|stage"}
}
