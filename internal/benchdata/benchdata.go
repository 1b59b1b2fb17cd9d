package benchdata

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

// Labels returns the labels of alert i: 10 labels, alertname one of 100
// and namespace one of 10, so that the alerts fall in 1,000 groups of
// alertname and namespace.
func Labels(i int) model.LabelSet {
	ls := make(model.LabelSet, 10)
	for _, kv := range [][2]string{
		{"alertname", fmt.Sprintf("Alert%03d", i%100)},
		{"namespace", fmt.Sprintf("team-%d", (i/100)%10)},
		{"instance", fmt.Sprintf("10.%d.%d.%d:9100", i>>16&255, i>>8&255, i&255)},
		{"pod", fmt.Sprintf("checkout-7d9f8b6c5-%07d", i)},
		{"job", "node-exporter"},
		{"cluster", "prod-eu-1"},
		{"severity", "warning"},
		{"service", "checkout"},
		{"container", "exporter"},
		{"prometheus", "monitoring/k8s"},
	} {
		ls[model.LabelName(strings.Clone(kv[0]))] = model.LabelValue(strings.Clone(kv[1]))
	}
	return ls
}

// Annotations returns the annotations of every alert: a summary.
func Annotations() model.LabelSet {
	return model.LabelSet{"summary": model.LabelValue(strings.Clone("Disk fills within 4 hours"))}
}

// Alerts returns alerts from, from+1, … as alertkit decodes them: firing
// since start, reported at now, to be refreshed within 5 minutes.
func Alerts(from, n int, start, now time.Time) []alert.Alert {
	out := make([]alert.Alert, n)
	for i := range out {
		out[i] = alert.Alert{
			Labels:      Labels(from + i),
			Annotations: Annotations(),
			StartsAt:    start,
			UpdatedAt:   now,
			RefreshBy:   now.Add(5 * time.Minute),
		}
	}
	return out
}
