package notifytest_test

import (
	"fmt"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// A host's own message template, checked against the sample escalation
// that the senders' golden tests use: an S2 incident of three TargetDown
// alerts on a Gold service, at its second step.
func ExampleSample() {
	title := notify.MustParseText("title",
		`{{ .Incident.SeverityName }} {{ .Incident.Title }} — {{ .Incident.Active }} of {{ .Incident.Alerts }} alerts active, for {{ duration .Duration }}`)
	n := notifytest.Sample(notify.ReasonEscalation)
	out, err := title.Render(n, notifytest.At)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	fmt.Println(n.Reason, "to", n.People, "—", n.Note)
	// Output:
	// S2 TargetDown in horns-and-hooves — 2 of 3 alerts active, for 8m
	// escalation to [vasiliy.vasiliyev] — step 2 of sre/page 10m: nobody acknowledged within 10m
}
