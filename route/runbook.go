package route

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/mql"
)

// Runbook is an instruction for the alerts its query selects: a Markdown
// file with front matter.
//
//	---
//	title: Ingress answers 5xx
//	mql: trigger = IngressResponses5xx AND project = horns-and-hooves
//	priority: 10
//	---
//	1. Look at the backend's pods: ...
type Runbook struct {
	// File is the file's path in its file system.
	File  string
	Title string
	// Match is the MQL of the front matter's mql.
	Match string
	// Priority orders the runbooks of an alert, highest first.
	Priority int
	// Body is the Markdown after the front matter.
	Body  string
	query *mql.Query
}

// Runbooks finds the runbooks of alerts and incidents. It may be used by
// many goroutines at once.
type Runbooks struct {
	list  []*Runbook
	index *index
}

// LoadRunbooks reads every .md file under dir of fsys (os.DirFS(".") for
// the working directory); parser reads their MQL (nil for the default
// Parser). A bad file is an error naming the file and line; every bad file
// is reported.
func LoadRunbooks(fsys fs.FS, dir string, parser *mql.Parser) (*Runbooks, error) {
	if parser == nil {
		parser = &mql.Parser{}
	}
	var list []*Runbook
	var errs []error
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".md" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		rb, err := ParseRunbook(p, data, parser)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		list = append(list, rb)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("runbooks: %w", err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewRunbooks(list, parser), nil
}

// NewRunbooks makes Runbooks of parsed runbooks.
func NewRunbooks(list []*Runbook, parser *mql.Parser) *Runbooks {
	if parser == nil {
		parser = &mql.Parser{}
	}
	r := &Runbooks{list: list}
	queries := make([]*mql.Query, len(list))
	for i, rb := range list {
		queries[i] = rb.query
	}
	r.index = newIndex(queries, parser)
	return r
}

// ParseRunbook reads one runbook; file names it in errors.
func ParseRunbook(file string, data []byte, parser *mql.Parser) (*Runbook, error) {
	if parser == nil {
		parser = &mql.Parser{}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return nil, fmt.Errorf("%s:1: expected front matter starting with a line \"---\"", file)
	}
	front, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		if front, ok = strings.CutSuffix(rest, "\n---"); !ok {
			return nil, fmt.Errorf("%s:1: front matter not closed by a line \"---\"", file)
		}
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(front), &node); err != nil {
		return nil, fmt.Errorf("%s: front matter: %w", file, err)
	}
	rb := &Runbook{File: file, Body: strings.TrimLeft(body, "\n")}
	d := decoder{file: file}
	if len(node.Content) == 0 {
		return nil, fmt.Errorf("%s:2: empty front matter: a runbook needs a title and an mql", file)
	}
	at := func(v *yaml.Node) Position { // the line in the file, past "---"
		p := d.scalarPos(v)
		if p.Line != 0 {
			p.Line++
		}
		return p
	}
	var mqlAt Position
	err := d.mapping(node.Content[0], "front matter", map[string]func(*yaml.Node) error{
		"title": func(v *yaml.Node) error { rb.Title = v.Value; return nil },
		"mql": func(v *yaml.Node) error {
			rb.Match, mqlAt = v.Value, at(v)
			return nil
		},
		"priority": func(v *yaml.Node) error {
			if err := v.Decode(&rb.Priority); err != nil {
				return d.errf(v, "priority: expected an integer, got %q", v.Value)
			}
			return nil
		},
	})
	if err != nil {
		return nil, shiftLine(err)
	}
	switch {
	case strings.TrimSpace(rb.Title) == "":
		return nil, fmt.Errorf("%s:2: front matter: missing title", file)
	case strings.TrimSpace(rb.Match) == "":
		return nil, fmt.Errorf("%s:2: front matter: missing mql; a runbook must say which alerts it is for", file)
	}
	if rb.query, err = compileMatch(parser, rb.Match, mqlAt, "runbook "+rb.Title); err != nil {
		return nil, err
	}
	return rb, nil
}

// shiftLine moves an error of the front matter's decoder one line down: the
// front matter starts on the second line of the file.
func shiftLine(err error) error {
	msg := err.Error()
	file, rest, ok := strings.Cut(msg, ":")
	if !ok {
		return err
	}
	var line int
	if _, scanErr := fmt.Sscanf(rest, "%d:", &line); scanErr != nil {
		return err
	}
	_, tail, _ := strings.Cut(rest, ":")
	return fmt.Errorf("%s:%d:%s", file, line+1, tail)
}

// For returns the runbooks of an alert or an incident, highest priority
// first, then by title.
func (r *Runbooks) For(s mql.Subject) []*Runbook {
	var out []*Runbook
	var buf [16]int32
	for _, i := range r.index.candidates(s, buf[:0]) {
		if rb := r.list[i]; rb.query.Match(s) {
			out = append(out, rb)
		}
	}
	slices.SortStableFunc(out, func(a, b *Runbook) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), strings.Compare(a.Title, b.Title))
	})
	return out
}

// All returns every runbook.
func (r *Runbooks) All() []*Runbook { return slices.Clone(r.list) }
