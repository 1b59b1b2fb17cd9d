package pgstore_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/internal/testenv"
	"github.com/alertkit/alertkit/notify/webhook"
	"github.com/alertkit/alertkit/pipeline"
)

// replicaEnv carries a replica's settings to the test binary run as a
// replica process.
const replicaEnv = "ALERTKIT_PGSTORE_REPLICA"

type replicaSettings struct {
	Name, DB, Addr, Notify string
}

func TestMain(m *testing.M) {
	if s := os.Getenv(replicaEnv); s != "" {
		os.Exit(replicaMain(s))
	}
	os.Exit(m.Run())
}

// The lease of a replica's claims in the crash test: a replica killed
// with work claimed holds it up this long.
const crashLease = 2 * time.Second

// replicaMain is a replica of the service of testdata/replica.yaml: the
// whole pipeline over the shared database, restored from it, Prometheus's
// intake on its address, and Tick every 100 ms. It prints "ready" once it serves, and
// stops when its standard input closes (the test went away) or it is
// killed.
func replicaMain(settings string) int {
	var rs replicaSettings
	if err := json.Unmarshal([]byte(settings), &rs); err != nil {
		fmt.Fprintln(os.Stderr, "replica:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); stop() }()
	fail := func(err error) int { fmt.Fprintf(os.Stderr, "replica %s: %v\n", rs.Name, err); return 1 }

	store, err := pgstore.Open(ctx, rs.DB, nil)
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	file, err := pipeline.LoadFile("testdata/replica.yaml")
	if err != nil {
		return fail(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := file.Build(pipeline.BuildOptions{
		Interval: 100 * time.Millisecond,
		Store:    store, Log: store.DeliveryLog(), Replica: rs.Name, Lease: crashLease, Logger: logger,
	})
	if err != nil {
		return fail(err)
	}
	// What the replica knew before it was killed is in the database.
	if _, err := svc.Pipeline.Restore(ctx); err != nil {
		return fail(err)
	}
	l, err := net.Listen("tcp", rs.Addr)
	if err != nil {
		return fail(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(svc.Pipeline.Ingest, nil))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	go func() { _ = svc.Pipeline.Run(ctx) }()
	fmt.Println("ready")
	<-ctx.Done()
	_ = srv.Close()
	return 0
}

// proc is a running replica process.
type proc struct {
	name, addr string
	cmd        *exec.Cmd
	stdin      io.Closer
	out        *lockedBuffer
	done       chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func startReplica(rs replicaSettings, notifyURL string, out *lockedBuffer) (*proc, error) {
	data, err := json.Marshal(rs)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), replicaEnv+"="+string(data), "PGSTORE_NOTIFY_URL="+notifyURL)
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{name: rs.Name, addr: rs.Addr, cmd: cmd, stdin: stdin, out: out, done: make(chan struct{})}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ready <- sc.Scan() && sc.Text() == "ready"
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	select {
	case ok := <-ready:
		if !ok {
			<-p.done
			return nil, fmt.Errorf("replica %s did not start:\n%s", rs.Name, out.String())
		}
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("replica %s did not start within 30s:\n%s", rs.Name, out.String())
	}
	return p, nil
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *proc) stop() {
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill()
	}
}

// counter is the receiving end of the notifications: it counts each
// notification by its idempotency key and receiver.
type counter struct {
	mu   sync.Mutex
	seen map[string]int // key + " → " + receiver
	// pages are the incidents' pages seen, by incident and step key.
	byIncident map[incident.ID]map[string]bool
	groups     map[incident.ID]string
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m webhook.Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[m.Key+" → "+m.Receiver]++
	id := m.Incident.ID
	if c.byIncident[id] == nil {
		c.byIncident[id] = map[string]bool{}
	}
	c.byIncident[id][m.Key+" → "+m.Receiver] = true
	c.groups[id] = string(m.Incident.Group["alertname"])
}

// paged reports whether the incident of a group had both its pages.
func (c *counter) paged(group string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, g := range c.groups {
		if g == group {
			seen := c.byIncident[id]
			return seen[string(id)+"/escalate/1 → pager-a"] && seen[string(id)+"/escalate/2 → pager-b"]
		}
	}
	return false
}

// prometheus is the source: it sends the firing and recently resolved
// alerts to every replica, every interval, as Prometheus sends to every
// Alertmanager it knows.
type prometheus struct {
	mu       sync.Mutex
	firing   map[string]time.Time // group → when it started
	resolved map[string]time.Time // group → when it resolved
	started  map[string]time.Time
	client   *http.Client
	sent     int
}

func (p *prometheus) batch(now time.Time) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	type amAlert struct {
		Labels   map[string]string `json:"labels"`
		StartsAt time.Time         `json:"startsAt"`
		EndsAt   time.Time         `json:"endsAt"`
	}
	var out []amAlert
	add := func(group string, start, end time.Time) {
		for _, inst := range []string{"10.0.0.1:9100", "10.0.0.2:9100"} {
			out = append(out, amAlert{Labels: map[string]string{
				"alertname": group, "instance": inst, "namespace": "shop", "severity_level": "1", "service_level": "platinum",
			}, StartsAt: start, EndsAt: end})
		}
	}
	for g, start := range p.firing {
		add(g, start, now.Add(10*time.Second))
	}
	for g, end := range p.resolved {
		if now.Sub(end) < 5*time.Second {
			add(g, p.started[g], end)
		}
	}
	p.sent += len(out)
	data, _ := json.Marshal(out)
	return data
}

func (p *prometheus) send(addr string, body []byte) {
	resp, err := p.client.Post("http://"+addr+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// Three replicas on one database receive the same alerts; one of them is
// killed with SIGKILL at random moments, and started again, while the
// incidents escalate. Every expected notification arrives — lost = 0 —
// and no notification arrives under a second key — duplicates = 0; a
// notification whose sender died before marking it is sent again with
// the same key, which the receiver deduplicates.
func TestReplicasSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs for about a minute; -short skips it")
	}
	url := schemaURL(t)
	verify := open(t, url) // applies the schema before the replicas start

	c := &counter{seen: map[string]int{}, byIncident: map[incident.ID]map[string]bool{}, groups: map[incident.ID]string{}}
	receiver := httptest.NewServer(c)
	defer receiver.Close()

	const groups = 16
	kills := 20
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x616c6572746b6974))
	t.Logf("seed %d", seed)

	replicas := make([]*proc, 3)
	logs := make([]*lockedBuffer, 3)
	for i := range replicas {
		logs[i] = &lockedBuffer{}
		rs := replicaSettings{Name: fmt.Sprintf("r%d", i+1), DB: url, Addr: testenv.FreeAddr(t)}
		p, err := startReplica(rs, receiver.URL, logs[i])
		require.NoError(t, err)
		replicas[i] = p
	}
	var mu sync.Mutex // guards replicas
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range replicas {
			p.stop()
		}
		if t.Failed() {
			for i, l := range logs {
				t.Logf("replica r%d:\n%s", i+1, l.String())
			}
		}
	}()
	addrs := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, p := range replicas {
			out = append(out, p.addr)
		}
		return out
	}

	prom := &prometheus{firing: map[string]time.Time{}, resolved: map[string]time.Time{}, started: map[string]time.Time{},
		client: &http.Client{Timeout: 5 * time.Second}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The killer: one replica at a time, SIGKILL, a pause, a restart.
	killed := 0
	var killerErr error
	killerDone := make(chan struct{})
	stopKilling := make(chan struct{})
	go func() {
		defer close(killerDone)
		for {
			select {
			case <-stopKilling:
				return
			case <-time.After(time.Duration(600+rng.IntN(900)) * time.Millisecond):
			}
			mu.Lock()
			i := rng.IntN(len(replicas))
			p := replicas[i]
			p.kill()
			killed++
			mu.Unlock()
			time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
			restarted, err := startReplica(replicaSettings{Name: p.name, DB: url, Addr: p.addr}, receiver.URL, logs[i])
			mu.Lock()
			if err != nil {
				killerErr = err
				mu.Unlock()
				return
			}
			replicas[i] = restarted
			mu.Unlock()
		}
	}()

	// The source: a new group every 2.5 s; a group resolves once both its
	// pages arrived and a lease has passed (so that a page sent by a
	// replica that died before recording it was sent again and
	// recorded, and the follow-up finds both receivers).
	start := time.Now()
	pagedAt := map[string]time.Time{}
	next := 0
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			t.Fatalf("the scenario did not finish in time: %d of %d groups resolved", len(prom.resolved), groups)
		case <-tick.C:
		}
		now := time.Now()
		prom.mu.Lock()
		if next < groups && now.Sub(start) >= time.Duration(next)*2500*time.Millisecond {
			g := fmt.Sprintf("Crash%02d", next)
			prom.firing[g], prom.started[g] = now, now
			next++
		}
		for g := range prom.firing {
			if _, ok := pagedAt[g]; !ok && c.paged(g) {
				pagedAt[g] = now
			}
			if at, ok := pagedAt[g]; ok && now.Sub(at) > crashLease+time.Second {
				delete(prom.firing, g)
				prom.resolved[g] = now
			}
		}
		prom.mu.Unlock()
		mu.Lock()
		done = next == groups && len(prom.resolved) == groups && killed >= kills
		require.NoError(t, killerErr)
		mu.Unlock()
		body := prom.batch(now)
		var wg sync.WaitGroup
		for _, addr := range addrs() {
			wg.Go(func() { prom.send(addr, body) })
		}
		wg.Wait()
	}
	close(stopKilling)
	<-killerDone
	require.NoError(t, killerErr)

	// Every incident: two pages and the resolution told to both.
	expected := func() (lost []string) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.groups) < groups {
			lost = append(lost, fmt.Sprintf("%d incidents paged, want %d", len(c.groups), groups))
		}
		for id, seen := range c.byIncident {
			for _, want := range []string{"/escalate/1 → pager-a", "/escalate/2 → pager-b"} {
				if !seen[string(id)+want] {
					lost = append(lost, string(id)+want)
				}
			}
			for _, r := range []string{"pager-a", "pager-b"} {
				if !slices.ContainsFunc(keys(seen), func(k string) bool {
					return strings.HasPrefix(k, "followup/"+string(id)+"/resolved/") && strings.HasSuffix(k, " → "+r)
				}) {
					lost = append(lost, "followup/"+string(id)+"/resolved → "+r)
				}
			}
		}
		return lost
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(expected()) > 0 && time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		body := prom.batch(time.Now()) // the resolved alerts, a while longer
		for _, addr := range addrs() {
			prom.send(addr, body)
		}
	}
	time.Sleep(crashLease + time.Second) // late re-sends, if any, arrive now

	lost := expected()
	c.mu.Lock()
	var duplicates, unexpected []string
	redelivered, delivered := 0, 0
	for _, n := range c.seen {
		delivered += n
		if n > 1 {
			redelivered += n - 1
		}
	}
	for id, seen := range c.byIncident {
		var followUps []string
		for k := range seen {
			switch {
			case k == string(id)+"/escalate/1 → pager-a", k == string(id)+"/escalate/2 → pager-b":
			case strings.HasPrefix(k, "followup/"+string(id)+"/resolved/"):
				followUps = append(followUps, k)
			default:
				unexpected = append(unexpected, k)
			}
		}
		if len(followUps) > 2 {
			duplicates = append(duplicates, fmt.Sprintf("%s: resolution told %d times: %v", id, len(followUps), followUps))
		}
	}
	incidents := len(c.groups)
	c.mu.Unlock()
	duplicates = append(duplicates, unexpected...)

	t.Logf("%s: %d replicas, %d SIGKILLs in %s, %d groups, %d incidents, %d alert reports sent to every replica, %d notifications delivered "+
		"(%d re-sent with the same key after a crash), lost = %d, duplicates = %d",
		t.Name(), len(replicas), killed, time.Since(start).Round(time.Second), groups, incidents, prom.sent, delivered,
		redelivered, len(lost), len(duplicates))
	assert.Empty(t, lost, "lost notifications")
	assert.Empty(t, duplicates, "notifications under a second key")
	assert.GreaterOrEqual(t, killed, kills)

	// One incident per group, each with its two alerts, each joined once.
	all, err := verify.Search(context.Background(), incident.Filter{Limit: -1})
	require.NoError(t, err)
	assert.Len(t, all, groups, "one incident per group")
	for _, inc := range all {
		assert.Equal(t, 2, inc.Alerts, "incident %s", inc.ID)
		assert.Equal(t, incident.StatusResolved, inc.Status, "incident %s", inc.ID)
		history, err := verify.History(context.Background(), inc.ID)
		require.NoError(t, err)
		joined := 0
		for _, e := range history {
			if e.Kind == incident.EventAlertJoined {
				joined++
			}
		}
		assert.Equal(t, 2, joined, "incident %s: each alert joined once", inc.ID)
	}
	if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("timed out")
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
