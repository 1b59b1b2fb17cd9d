package readmecheck

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/testenv"
)

// TestWiringExampleCompiles vets the README's first Go block as the main
// package of a module that requires alertkit from this working tree.
func TestWiringExampleCompiles(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		msg := "the go command is not on PATH, so the README's example cannot be compiled: " + err.Error()
		if testenv.InCI() {
			t.Fatal(msg + " — CI has Go, so this is an error there")
		}
		t.Skip(msg)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	require.NotNil(t, goVersion, "the go directive of %s", filepath.Join(root, "go.mod"))

	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	code, line, err := firstGoBlock(string(readme))
	require.NoError(t, err, "README.md")
	require.True(t, strings.HasPrefix(code, "package main\n"), "README.md:%d: the first Go block is a whole program, package main first", line)

	dir := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	mod := fmt.Sprintf("module example.com/service\n\ngo %s\n\nrequire github.com/alertkit/alertkit v0.0.0\n\nreplace github.com/alertkit/alertkit => %s\n",
		goVersion[1], root)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644))

	cmd := exec.Command(goCmd, "vet", ".")
	cmd.Dir = dir
	// The module cache only: -mod=mod completes the new module's go.mod
	// from it, and nothing is downloaded.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the wiring example of README.md (the Go block at line %d) does not compile: %v\n%s",
			line, err, readmeLines(string(out), line))
	}
}

// fileLine is a position in the example's file, as the go command writes it.
var fileLine = regexp.MustCompile(`\./main\.go:(\d+)`)

// readmeLines rewrites the positions in the example's main.go as positions
// in README.md, whose Go block starts on the line after start.
func readmeLines(out string, start int) string {
	return fileLine.ReplaceAllStringFunc(out, func(m string) string {
		n, err := strconv.Atoi(fileLine.FindStringSubmatch(m)[1])
		if err != nil {
			return m
		}
		return "README.md:" + strconv.Itoa(start+n)
	})
}

// firstGoBlock returns the first fenced block of Go in Markdown, and the
// number of the line of its opening fence.
func firstGoBlock(md string) (code string, line int, err error) {
	var b strings.Builder
	in := false
	sc := bufio.NewScanner(strings.NewReader(md))
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		switch {
		case !in && strings.TrimSpace(text) == "```go":
			in, line = true, n
		case in && strings.TrimSpace(text) == "```":
			return b.String(), line, nil
		case in:
			b.WriteString(text)
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return "", 0, err
	}
	if in {
		return "", 0, fmt.Errorf("line %d: the Go block is not closed", line)
	}
	return "", 0, errors.New("no Go block")
}

func TestFirstGoBlock(t *testing.T) {
	tests := []struct {
		name     string
		md       string
		wantCode string
		wantLine int
		wantErr  string
	}{
		{name: "the first of two", md: "# title\n\n```go\npackage main\n```\n\n```go\npackage other\n```\n", wantCode: "package main\n", wantLine: 3},
		{name: "after a shell block", md: "```sh\ngo test ./...\n```\n```go\nfunc f() {}\n\n// g\n```\n", wantCode: "func f() {}\n\n// g\n", wantLine: 4},
		{name: "yaml is not go", md: "```yaml\na: 1\n```\n", wantErr: "no Go block"},
		{name: "unclosed", md: "text\n```go\npackage main\n", wantErr: "line 2: the Go block is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, line, err := firstGoBlock(tt.md)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantCode, code)
			require.Equal(t, tt.wantLine, line)
		})
	}
}

func TestReadmeLines(t *testing.T) {
	got := readmeLines("# example.com/service\nvet: ./main.go:33:27: too many arguments\n./main.go:4:2: unused", 36)
	require.Equal(t, "# example.com/service\nvet: README.md:69:27: too many arguments\nREADME.md:40:2: unused", got)
}
