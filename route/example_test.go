package route_test

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/route"
)

func ExampleParseLines() {
	rules, err := route.ParseLines(`
project = "horns-and-hooves" AND ~server = "gitlab" -> @vasiliy.vasiliyev
trigger = TargetDown -> team:sre, receiver:slack-ops
`, "rules.txt")
	if err != nil {
		fmt.Println(err)
		return
	}
	router, err := route.Compile(&route.Config{
		Default: route.Rule{To: []route.Target{{Kind: route.TargetReceiver, Name: "ops"}}, GroupBy: []model.LabelName{"alertname"}},
		Routes:  rules,
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, ls := range []model.LabelSet{
		{"alertname": "GitlabDown", "namespace": "horns-and-hooves", "server": "gitlab"},
		{"alertname": "TargetDown", "instance": "10.244.37.14:9403"},
		{"alertname": "DiskFull"},
	} {
		rt := router.Route(&route.Subject{Alert: &alert.Alert{Labels: ls}, At: now})[0]
		fmt.Println(ls["alertname"], "→", rt.Targets, rt.GroupKey)
	}
	// Output:
	// GitlabDown → [@vasiliy.vasiliyev] routes[0]{alertname="GitlabDown"}
	// TargetDown → [team:sre receiver:slack-ops] routes[1]{alertname="TargetDown"}
	// DiskFull → [receiver:ops] default{alertname="DiskFull"}
}

func ExampleSilences() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	silences := route.NewSilences(nil)
	_, err := silences.Set(route.Silence{
		ID: "rack-37", Match: `trigger = TargetDown AND ~instance =~ "10\\.244\\.37\\..*"`,
		StartsAt: now, EndsAt: now.Add(2 * time.Hour), CreatedBy: "vasiliy.vasiliyev", Comment: "moving rack 37",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	target := &route.Subject{Alert: &alert.Alert{Labels: model.LabelSet{"alertname": "TargetDown", "instance": "10.244.37.14:9403"}}}
	fmt.Println(silences.Mutes(target, now.Add(time.Hour)))
	fmt.Println(silences.Mutes(target, now.Add(3*time.Hour)))
	// Output:
	// rack-37 true
	//  false
}
