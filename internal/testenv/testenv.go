package testenv

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// InCI reports whether the tests run in CI, where no component may be
// missing.
func InCI() bool { return os.Getenv("CI") == "true" }

// Command returns the path of a program the test needs: the value of the
// environment variable env if it is set, else the first of names found on
// PATH. If there is none, the test is skipped, or failed in CI; install says
// how to get the program.
func Command(t testing.TB, env, install string, names ...string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := strings.Join(names, " or ") + " not found on PATH (or set " + env + "); " + install
	if InCI() {
		t.Fatal(msg + " — .ci/run installs it, so in CI this is an error")
	}
	t.Skip(msg)
	return ""
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Start runs a program for the duration of the test. It is killed when the
// test ends; if the test failed, its output is logged.
func Start(t testing.TB, path string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", path, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("output of %s:\n%s", path, out.String())
		}
	})
}

// syncBuffer is a bytes.Buffer that a process may write while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Modules returns the sorted modules whose packages the package in the
// current directory compiles, itself included: what importing it costs.
func Modules(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	var modules []string
	for m := range strings.FieldsSeq(string(out)) {
		if !slices.Contains(modules, m) {
			modules = append(modules, m)
		}
	}
	slices.Sort(modules)
	return modules
}

// Packages returns the sorted packages of alertkit that the package in
// the current directory compiles, itself excluded: which stages it knows.
func Packages(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if eq .Module.Path \"github.com/alertkit/alertkit\"}}{{.ImportPath}}{{end}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	self, err := exec.Command("go", "list", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []string
	for p := range strings.FieldsSeq(string(out)) {
		if p != strings.TrimSpace(string(self)) {
			pkgs = append(pkgs, strings.TrimPrefix(p, "github.com/alertkit/alertkit/"))
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// NotAbove fails the test if the package in the current directory compiles
// any of the packages of alertkit named (as "escalate", "notify/slack"):
// the stages it must not know of.
func NotAbove(t testing.TB, names ...string) {
	t.Helper()
	for _, p := range Packages(t) {
		if slices.Contains(names, p) {
			t.Errorf("compiles %s, a stage it must not depend on", p)
		}
	}
}

// PostgresEnv names the environment variable with the URL of the
// PostgreSQL server that the tests of the PostgreSQL store use.
const PostgresEnv = "ALERTKIT_TEST_POSTGRES"

// Postgres returns the URL of a PostgreSQL server for the test, from
// ALERTKIT_TEST_POSTGRES. Without one the test is skipped, or failed in
// CI, where .ci/run starts a server on loopback.
func Postgres(t testing.TB) string {
	t.Helper()
	if url := os.Getenv(PostgresEnv); url != "" {
		return url
	}
	msg := PostgresEnv + " is not set: set it to the URL of a PostgreSQL server that the test may create schemas in " +
		"(postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); .ci/run starts one from Debian's postgresql package"
	if InCI() {
		t.Fatal(msg + " — in CI this is an error")
	}
	t.Skip(msg)
	return ""
}
