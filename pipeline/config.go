package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/email"
	"github.com/alertkit/alertkit/notify/pagerduty"
	"github.com/alertkit/alertkit/notify/slack"
	"github.com/alertkit/alertkit/notify/telegram"
	"github.com/alertkit/alertkit/notify/webhook"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// File is a service's whole configuration, in one YAML file:
//
//	severity:        # a severity.Policy (optional; default DefaultPolicy)
//	  services: …
//	routing:         # a route.Config: default, routes, time_intervals, inhibit_rules, triage
//	  default: {to: [receiver:ops], group_by: [alertname, namespace]}
//	  routes:
//	    - 'trigger =~ "Postgres.*" -> oncall:sre/L1'
//	oncall:          # an escalate.Config: schedules, policies, ladders
//	  schedules: …
//	ladder:          # who is paged after a route's own targets, level after level
//	  - [oncall:sre/L2]
//	  - [team:sre, "@sre-lead"]
//	receivers:       # one of slack, pagerduty, email, webhook, telegram each; ${VAR} reads the environment
//	  - name: slack-ops
//	    slack: {webhook_url: "${SLACK_OPS_URL}"}
//	contacts:        # which receivers reach whom
//	  people: {alfa: [pd-alfa]}
//	  teams: {sre: [slack-ops]}
//	  digest: [slack-ops]
//	silences:
//	  - {match: '~cluster = staging', ends_at: 2026-12-01T00:00:00Z, created_by: ops, comment: migration}
//	heartbeats:
//	  - {name: prometheus, period: 5m, match: 'trigger = Watchdog'}
//	escalation: {continue_within: 10m, flap_hold: 30m}  # a recurrence that soon goes on; a flapping incident's pages
//	runbooks: runbooks   # a directory of Markdown runbooks, relative to the file
//	runbook_url: https://git.example.com/ops/runbooks/-/blob/main/{file}
//	incident_url: https://alerts.example.com/incidents/{id}
//	notify: {workers: 4, max_attempts: 12, timeout: 10s, max_retry_after: 5m,   # workers per receiver
//	         digests: "0 9 * * *", time_zone: Europe/Berlin, rates: {slack-ops: {per_minute: 20, burst: 5}}}
//
// Errors name the file, the line where the sections' own parsers give one,
// and the item.
type File struct {
	Severity  yaml.Node  `yaml:"severity"`
	Routing   yaml.Node  `yaml:"routing"`
	OnCall    yaml.Node  `yaml:"oncall"`
	Ladder    [][]string `yaml:"ladder"`
	Receivers []Receiver `yaml:"receivers"`
	Contacts  struct {
		People   map[string][]string `yaml:"people"`
		Teams    map[string][]string `yaml:"teams"`
		Fallback []string            `yaml:"fallback"`
		Digest   []string            `yaml:"digest"`
	} `yaml:"contacts"`
	Silences []struct {
		Match          string    `yaml:"match"`
		StartsAt       time.Time `yaml:"starts_at"`
		EndsAt         time.Time `yaml:"ends_at"`
		CreatedBy      string    `yaml:"created_by"`
		Comment        string    `yaml:"comment"`
		NotifyResolved bool      `yaml:"notify_resolved"`
	} `yaml:"silences"`
	Heartbeats []struct {
		Name    string         `yaml:"name"`
		Period  model.Duration `yaml:"period"`
		Match   string         `yaml:"match"`
		Labels  model.LabelSet `yaml:"labels"`
		Forward bool           `yaml:"forward"`
	} `yaml:"heartbeats"`
	Runbooks string `yaml:"runbooks"`
	// Escalation tunes how incidents escalate again: ContinueWithin goes
	// on with an incident's escalation when it fires again that soon after
	// going quiet, rather than paging from the first step (escalate.Options.
	// ContinueWithin); FlapHold is how long after its last page a flapping
	// incident waits before it pages again (default 30m).
	Escalation struct {
		ContinueWithin model.Duration `yaml:"continue_within"`
		FlapHold       model.Duration `yaml:"flap_hold"`
	} `yaml:"escalation"`
	// RunbookURL links a runbook: "{file}" is its path in the directory.
	RunbookURL  string `yaml:"runbook_url"`
	IncidentURL string `yaml:"incident_url"`
	Notify      struct {
		Workers     int            `yaml:"workers"`
		MaxAttempts int            `yaml:"max_attempts"`
		Timeout     model.Duration `yaml:"timeout"`
		// MaxRetryAfter caps how long a receiver's Retry-After holds a
		// notification back (notify.Options.MaxRetryAfter).
		MaxRetryAfter model.Duration `yaml:"max_retry_after"`
		Digests       string         `yaml:"digests"`
		TimeZone      string         `yaml:"time_zone"`
		Rates         map[string]struct {
			PerMinute float64 `yaml:"per_minute"`
			Burst     int     `yaml:"burst"`
		} `yaml:"rates"`
	} `yaml:"notify"`

	name string // the file's name, for errors
	dir  string // its directory, for relative paths
	src  []byte
	root *yaml.Node // the document, for the positions of what Build refuses
	// fromEnv are the scalars of root that ${VAR} wrote: errors never
	// quote them, for a secret may be in the wrong field.
	fromEnv map[*yaml.Node]bool
}

// Receiver is a named receiver: exactly one of its channels is set.
type Receiver struct {
	Name      string            `yaml:"name"`
	Slack     *slack.Config     `yaml:"slack"`
	PagerDuty *pagerduty.Config `yaml:"pagerduty"`
	Email     *email.Config     `yaml:"email"`
	Webhook   *webhook.Config   `yaml:"webhook"`
	Telegram  *telegram.Config  `yaml:"telegram"`
}

// MaxConfigBytes bounds a configuration file.
const MaxConfigBytes = 4 << 20

// ParseFile reads a configuration; name names it in errors, and relative
// paths in it (runbooks) are relative to dir. ${VAR} in the receivers is
// replaced by the environment variable VAR, which must be set. No error,
// of ParseFile or of Build, quotes a value read from the environment: it
// names the field, and says what is wrong with it.
func ParseFile(data []byte, name, dir string) (*File, error) {
	if len(data) > MaxConfigBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than %d", name, len(data), MaxConfigBytes)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	fromEnv := map[*yaml.Node]bool{}
	if len(root.Content) > 0 {
		if err := expandEnv(root.Content[0], "receivers", fromEnv); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	// Unknown keys and wrong types, with the lines of the file.
	var check File
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&check); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{name: name, dir: dir, src: data, root: &root, fromEnv: fromEnv}
	expanded, err := yaml.Marshal(&root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) {
		if len(fromEnv) > 0 {
			// The original text decoded: what fails is a value read from
			// the environment, which yaml's error would quote.
			return nil, fmt.Errorf("%s: receivers: a value read from the environment does not fit its field", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The decoded nodes of the sections carry the lines of the expanded
	// document; the sections are read from the original text below.
	if len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			switch doc.Content[i].Value {
			case "severity":
				f.Severity = *doc.Content[i+1]
			case "routing":
				f.Routing = *doc.Content[i+1]
			case "oncall":
				f.OnCall = *doc.Content[i+1]
			}
		}
	}
	return f, nil
}

// LoadFile reads a configuration file.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFile(data, path, filepath.Dir(path))
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${VAR} in the scalars of a top-level section, and
// adds those it changed to fromEnv.
func expandEnv(doc *yaml.Node, section string, fromEnv map[*yaml.Node]bool) error {
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != section {
			continue
		}
		var errs []error
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode && envRef.MatchString(n.Value) {
				fromEnv[n] = true
				n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
					name := envRef.FindStringSubmatch(ref)[1]
					v, ok := os.LookupEnv(name)
					if !ok {
						errs = append(errs, fmt.Errorf("line %d: %s: the environment variable %s is not set", n.Line, section, name))
					}
					return v
				})
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(doc.Content[i+1])
		return errors.Join(errs...)
	}
	return nil
}

// at returns where the value at a path of the file was written,
// "file:line:column", or the file's name when the path leads nowhere. A
// step of the path is a mapping's key (a string) or a sequence's index (an
// int).
func (f *File) at(path ...any) string {
	n := f.node(path...)
	if n == nil {
		return f.name
	}
	return fmt.Sprintf("%s:%d:%d", f.name, n.Line, n.Column)
}

// keysInOrder returns the keys of m in the order the file writes them at
// path, then those it does not write, sorted: errors about a map's entries
// come in the same order on every run.
func (f *File) keysInOrder(m map[string][]string, path ...any) []string {
	var keys []string
	if n := f.node(path...); n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !slices.Contains(keys, k) {
				if _, ok := m[k]; ok {
					keys = append(keys, k)
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// node returns the node of the value at a path of the file, as at reads
// it, or nil when the path leads nowhere.
func (f *File) node(path ...any) *yaml.Node {
	if f.root == nil || len(f.root.Content) == 0 {
		return nil
	}
	n := f.root.Content[0]
	for _, step := range path {
		var next *yaml.Node
		switch k := step.(type) {
		case string:
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
				next = n.Content[k]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// section returns the text of a top-level section as a document of its
// own, on the lines and columns it has in the file, so that the parser of
// the section reports the file's positions.
func (f *File) section(n *yaml.Node) ([]byte, bool) {
	if n.Kind == 0 {
		return nil, false
	}
	if n.Style&yaml.FlowStyle != 0 || n.Kind == yaml.ScalarNode {
		data, err := yaml.Marshal(n)
		return data, err == nil
	}
	lines := strings.Split(string(f.src), "\n")
	first := n.Line - 1
	var b strings.Builder
	for range first {
		b.WriteByte('\n')
	}
	for i := first; i < len(lines); i++ {
		line := lines[i]
		if i > first && len(line) > 0 && line[0] != ' ' && line[0] != '#' && line[0] != '\t' {
			break // the next top-level key
		}
		b.WriteString(line) // indented as in the file: columns match too
		b.WriteByte('\n')
	}
	return []byte(b.String()), true
}

// BuildOptions are what a Service is built with besides its File.
type BuildOptions struct {
	// Store keeps incidents, timers and the outbox; default a MemoryStore.
	// Replicas share one: incident/pgstore's.
	Store incident.Store
	// Log keeps the delivery log and the dead letters; default a
	// notify.MemoryLog. Replicas share one (pgstore's DeliveryLog), so
	// that whichever replica follows an incident up finds every receiver
	// it went to.
	Log notify.Log
	// Replica names this replica in the leases of the timers it claims
	// ("pipeline/NAME", "escalator/NAME", "notify/NAME"); replicas sharing a
	// Store set different names, such as their host names. Default: none.
	Replica string
	// Lease is how long the timers a replica claims — escalation steps,
	// notifications, follow-ups — are its own before another replica takes
	// over the work of one that died; default 1m (notifications: the
	// notify timeout and 1m). Keep it well above the replicas' clock skew.
	Lease time.Duration
	// Interval is how often Pipeline.Run ticks — sweeps, snoozes,
	// escalation steps, retries, digests; default 1s.
	Interval time.Duration
	// Registerer, if set, gets alertkit's metrics.
	Registerer prometheus.Registerer
	// Logger logs; default slog.Default().
	Logger *slog.Logger
	// Now returns the time; default time.Now.
	Now func() time.Time
	// Entropy makes incident IDs; default crypto/rand.
	Entropy io.Reader
	// Client sends the HTTP senders' requests; nil means
	// http.DefaultClient.
	Client *http.Client
	// Receivers are receivers made in code, added to the file's (a name
	// in both is an error).
	Receivers map[string]notify.Notifier
	// OnChange is passed to the Pipeline.
	OnChange func(Outcome)
}

// Service is a Pipeline and every part of it, built from a File.
type Service struct {
	Pipeline   *Pipeline
	Store      incident.Store
	Incidents  *incident.Manager
	Dedup      *dedup.Deduper
	Router     *route.Router
	Silences   *route.Silences
	Runbooks   *route.Runbooks
	Escalator  *escalate.Escalator
	Dispatcher *notify.Dispatcher
	Log        notify.Log
	Metrics    *Metrics
	// URL links to an incident in the host's interface, from the file's
	// incident_url; nil without one.
	URL func(incident.ID) string
}

// Build makes the Service a File describes. Errors name the file and what
// in it is wrong; all the receivers' errors are reported at once.
func (f *File) Build(o BuildOptions) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Store == nil {
		o.Store = incident.NewMemoryStore()
	}
	s := &Service{Store: o.Store}
	if f.IncidentURL != "" {
		tmpl := f.IncidentURL
		s.URL = func(id incident.ID) string { return strings.ReplaceAll(tmpl, "{id}", string(id)) }
	}

	// Severity.
	policy := severity.DefaultPolicy()
	if data, ok := f.section(&f.Severity); ok {
		p, err := severity.ParsePolicy(data)
		if err != nil {
			return nil, fmt.Errorf("%s: severity: %w", f.name, err)
		}
		policy = p
	}
	var sev Classifier = policy
	o.Logger.Info("alertkit: the severity policy in force", "file", f.name, "policy", policy.Describe())

	// Routing.
	rcfg := &route.Config{}
	if data, ok := f.section(&f.Routing); ok {
		var err error
		if rcfg, err = route.Parse(data, f.name); err != nil {
			return nil, err
		}
	}
	stages, err := route.Build(rcfg, nil)
	if err != nil {
		return nil, err
	}
	router, triage, inhibitor, parser := stages.Router, stages.Triage, stages.Inhibitor, stages.Router.Parser()
	s.Router, s.Silences = router, stages.Silences
	for i, sil := range f.Silences {
		start := sil.StartsAt
		if start.IsZero() {
			start = o.Now()
		}
		if _, err := s.Silences.Set(route.Silence{Match: sil.Match, StartsAt: start, EndsAt: sil.EndsAt, CreatedBy: sil.CreatedBy, Comment: sil.Comment, NotifyResolved: sil.NotifyResolved}); err != nil {
			return nil, fmt.Errorf("%s: silences[%d]: %w", f.name, i, err)
		}
	}
	if f.Runbooks != "" {
		dir := f.Runbooks
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(f.dir, dir)
		}
		if s.Runbooks, err = route.LoadRunbooks(os.DirFS(dir), ".", parser); err != nil {
			return nil, fmt.Errorf("%s: runbooks: %w", f.name, err)
		}
	}

	// Dedup and heartbeats.
	s.Dedup = dedup.New(&dedup.Options{Now: o.Now})
	for i, h := range f.Heartbeats {
		hb := dedup.Heartbeat{Name: h.Name, Period: time.Duration(h.Period), Labels: h.Labels, Forward: h.Forward}
		if h.Match != "" {
			q, err := parser.Parse(h.Match)
			if err != nil {
				return nil, fmt.Errorf("%s: heartbeats[%d] %s: match: %w", f.name, i, h.Name, err)
			}
			hb.Match = q
		}
		if err := s.Dedup.AddHeartbeat(hb, o.Now()); err != nil {
			return nil, fmt.Errorf("%s: heartbeats[%d]: %w", f.name, i, err)
		}
	}

	// Metrics.
	if o.Registerer != nil {
		if s.Metrics, err = NewMetrics(o.Registerer, &MetricsOptions{Store: o.Store, Heartbeats: s.Dedup, Now: o.Now}); err != nil {
			return nil, fmt.Errorf("%s: metrics: %w", f.name, err)
		}
	}

	// Incidents.
	s.Incidents = incident.NewManager(o.Store, &incident.Options{Now: o.Now, Entropy: o.Entropy, Severity: SeverityOf(sev), FollowUps: true,
		Owner: owner("pipeline", o.Replica), Lease: o.Lease})

	// Receivers and the dispatcher.
	receivers, err := f.receivers(o)
	if err != nil {
		return nil, err
	}
	nopts := &notify.Options{Now: o.Now, Owner: owner("notify", o.Replica), Lease: o.Lease, Workers: f.Notify.Workers, MaxAttempts: f.Notify.MaxAttempts, Timeout: time.Duration(f.Notify.Timeout),
		MaxRetryAfter: time.Duration(f.Notify.MaxRetryAfter), Digests: f.Notify.Digests}
	if f.Notify.TimeZone != "" {
		if nopts.Location, err = time.LoadLocation(f.Notify.TimeZone); err != nil {
			return nil, fmt.Errorf("%s: notify.time_zone: %w", f.name, err)
		}
	}
	if len(f.Notify.Rates) > 0 {
		nopts.Rates = map[string]notify.Rate{}
		for name, r := range f.Notify.Rates {
			nopts.Rates[name] = notify.Rate{PerMinute: r.PerMinute, Burst: r.Burst}
		}
	}
	s.Log = o.Log
	if s.Log == nil {
		s.Log = notify.NewMemoryLog()
	}
	nopts.Log = s.Metrics.Log(s.Log)
	if s.Dispatcher, err = notify.NewDispatcher(o.Store, receivers, nopts); err != nil {
		return nil, fmt.Errorf("%s: notify: %w", f.name, err)
	}
	for _, list := range []struct {
		kind  string
		names []string
	}{{"fallback", f.Contacts.Fallback}, {"digest", f.Contacts.Digest}} {
		for i, n := range list.names {
			if _, ok := receivers[n]; !ok {
				return nil, fmt.Errorf("%s: contacts.%s: no receiver %q", f.at("contacts", list.kind, i), list.kind, n)
			}
		}
	}
	if cells := batchCells(policy); len(cells) > 0 && len(f.Contacts.Digest) == 0 {
		return nil, fmt.Errorf("%s: contacts.digest: the severity policy batches alerts into a digest (%s), and no receiver takes the digest: "+
			"name one under contacts.digest, or give those cells a page or a retrospective response in severity.responses",
			f.at("contacts"), strings.Join(cells, ", "))
	}
	for _, section := range []struct {
		kind string
		m    map[string][]string
	}{{"people", f.Contacts.People}, {"teams", f.Contacts.Teams}} {
		for _, who := range f.keysInOrder(section.m, "contacts", section.kind) {
			for i, n := range section.m[who] {
				if _, ok := receivers[n]; !ok {
					return nil, fmt.Errorf("%s: contacts.%s.%s: no receiver %q", f.at("contacts", section.kind, who, i), section.kind, who, n)
				}
			}
		}
	}
	snapshot := &notify.SnapshotOptions{URL: s.URL}
	if s.Runbooks != nil {
		snapshot.RunbooksFor = func(v incident.View) []notify.Link {
			var links []notify.Link
			for _, rb := range s.Runbooks.For(v) {
				l := notify.Link{Title: rb.Title}
				if f.RunbookURL != "" {
					l.URL = strings.ReplaceAll(f.RunbookURL, "{file}", rb.File)
				}
				links = append(links, l)
			}
			return links
		}
	}
	pages := &Pages{Dispatcher: s.Dispatcher, Incidents: s.Incidents, Snapshot: snapshot, Contacts: Contacts{
		People: f.Contacts.People, Teams: f.Contacts.Teams, Fallback: f.Contacts.Fallback, Digest: f.Contacts.Digest,
	}}

	// On call.
	s.Escalator = escalate.New(s.Incidents, s.Metrics.Pager(pages), &escalate.Options{Now: o.Now, Owner: owner("escalator", o.Replica), Lease: o.Lease, Logger: o.Logger,
		ContinueWithin: time.Duration(f.Escalation.ContinueWithin), FlapHold: time.Duration(f.Escalation.FlapHold)})
	ocfg := &escalate.Config{}
	if data, ok := f.section(&f.OnCall); ok {
		if ocfg, err = escalate.ParseConfig(data, f.name); err != nil {
			return nil, err
		}
		if err := s.Escalator.Load(ocfg); err != nil {
			return nil, fmt.Errorf("%s: oncall: %w", f.name, err)
		}
	}

	// Targets: every one the file writes must name something the service
	// has, or a page would go nowhere.
	names := f.names(receivers, ocfg)
	if err := rcfg.CheckTargets(names); err != nil {
		return nil, err
	}
	for i, p := range ocfg.Policies {
		for j, st := range p.Steps {
			for k, t := range st.Notify {
				if err := names.Check(t); err != nil {
					return nil, fmt.Errorf("%s: oncall: policy %s: step %d: %w", f.at("oncall", "policies", i, "steps", j, "notify", k), p.Name, j+1, err)
				}
			}
		}
	}
	var ladder escalate.Ladder
	for i, level := range f.Ladder {
		var targets []route.Target
		for j, t := range level {
			tg, err := route.ParseTarget(t)
			if err == nil {
				err = names.Check(tg)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: ladder[%d]: %w", f.at("ladder", i, j), i, err)
			}
			targets = append(targets, tg)
		}
		ladder = append(ladder, targets)
	}
	if len(ladder) > 0 {
		if err := s.Escalator.AddLadder("config", ladder); err != nil {
			return nil, fmt.Errorf("%s: ladder: %w", f.name, err)
		}
	}

	s.Pipeline, err = New(Config{
		Severity: sev, Dedup: s.Dedup, Triage: triage, Silences: s.Silences, Inhibitor: inhibitor, Router: router,
		Incidents: s.Incidents, Escalator: s.Escalator, Ladder: ladder, Dispatcher: s.Dispatcher, Snapshot: snapshot,
		Metrics: s.Metrics, Logger: o.Logger, Now: o.Now, OnChange: o.OnChange, Owner: owner("pipeline", o.Replica), Lease: o.Lease,
		Interval: o.Interval,
	})
	return s, err
}

// batchCells returns the cells of a policy's response tables whose response
// is a batch: "gold S4–S6, unclassified S4–S5".
func batchCells(p *severity.Policy) []string {
	var out []string
	row := func(name string, cell func(severity.Level) severity.Cell) {
		var levels []severity.Level
		for l := severity.S1; l <= severity.S9; l++ {
			if p.Response(cell(l)).Mode == severity.ModeBatch {
				levels = append(levels, l)
			}
		}
		if len(levels) == 0 {
			return
		}
		s := name + " " + levels[0].String()
		if last := levels[len(levels)-1]; last != levels[0] {
			s += "–" + last.String()
		}
		out = append(out, s)
	}
	for sl := severity.ServiceLevelNone; sl <= severity.ServiceLevelPlatinum; sl++ {
		row(sl.String(), func(l severity.Level) severity.Cell { return severity.Cell{ServiceLevel: sl, Level: l} })
	}
	row("unclassified", func(l severity.Level) severity.Cell { return severity.Cell{Unclassified: true, Level: l} })
	return out
}

// owner names a worker of a replica: "notify/eu-1".
func owner(worker, replica string) string {
	if replica == "" {
		return worker
	}
	return worker + "/" + replica
}

// receivers builds the file's senders, and adds those of the options.
func (f *File) receivers(o BuildOptions) (map[string]notify.Notifier, error) {
	out := map[string]notify.Notifier{}
	var errs []error
	for i, r := range f.Receivers {
		what := fmt.Sprintf("%s: receivers[%d] %s", f.name, i, r.Name)
		if f.fromEnv[f.node("receivers", i, "name")] {
			what = fmt.Sprintf("%s: receivers[%d]", f.name, i) // a name read from the environment is not quoted
		}
		if r.Name == "" {
			errs = append(errs, fmt.Errorf("%s: receivers[%d]: missing name", f.name, i))
			continue
		}
		if _, dup := out[r.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: the name is used twice", what))
			continue
		}
		var set []string
		var n notify.Notifier
		var err error
		if r.Slack != nil {
			set = append(set, "slack")
			n, err = slack.New(r.Slack, &slack.Options{Client: o.Client, Now: o.Now, Logger: o.Logger})
		}
		if r.PagerDuty != nil {
			set = append(set, "pagerduty")
			n, err = pagerduty.New(r.PagerDuty, &pagerduty.Options{Client: o.Client, Now: o.Now})
		}
		if r.Email != nil {
			set = append(set, "email")
			n, err = email.New(r.Email, &email.Options{Now: o.Now})
		}
		if r.Webhook != nil {
			set = append(set, "webhook")
			n, err = webhook.New(r.Webhook, &webhook.Options{Client: o.Client, Now: o.Now})
		}
		if r.Telegram != nil {
			set = append(set, "telegram")
			n, err = telegram.New(r.Telegram, &telegram.Options{Client: o.Client, Now: o.Now})
		}
		switch {
		case len(set) != 1:
			errs = append(errs, fmt.Errorf("%s: want exactly one of slack, pagerduty, email, webhook, telegram; got %d", what, len(set)))
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		default:
			out[r.Name] = n
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Receivers)) {
		if _, dup := out[name]; dup {
			errs = append(errs, fmt.Errorf("%s: receiver %s is both in the file and in the code", f.name, name))
			continue
		}
		out[name] = o.Receivers[name]
	}
	return out, errors.Join(errs...)
}

// names are what the file's targets may name: its receivers and those made
// in code; the people of contacts.people and the members of the on-call
// layers, unchecked without contacts.people (contacts.fallback reaches
// everyone); the teams of contacts.teams, unchecked without it; the
// schedules, their layers and the policies of oncall.
func (f *File) names(receivers map[string]notify.Notifier, oncall *escalate.Config) route.Names {
	names := route.Names{Receivers: []string{}, Policies: []string{}, Schedules: map[string][]string{}}
	for name := range receivers {
		names.Receivers = append(names.Receivers, name)
	}
	if f.Contacts.People != nil {
		names.People = []string{}
		for who := range f.Contacts.People {
			names.People = append(names.People, who)
		}
	}
	if f.Contacts.Teams != nil {
		names.Teams = []string{}
		for team := range f.Contacts.Teams {
			names.Teams = append(names.Teams, team)
		}
	}
	for _, s := range oncall.Schedules {
		names.Schedules[s.Name] = s.LayerNames()
		if names.People == nil {
			continue
		}
		for _, l := range s.Layers {
			names.People = append(names.People, l.Members...)
		}
		for _, o := range s.Overrides {
			names.People = append(names.People, o.Person)
		}
	}
	for _, p := range oncall.Policies {
		names.Policies = append(names.Policies, p.Name)
	}
	return names
}
