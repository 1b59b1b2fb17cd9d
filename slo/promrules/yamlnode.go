package promrules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// reader walks YAML nodes of one file, so that errors name the file, the
// line and the field path: "slos.yml:12: slos[0].objective: …".
type reader struct{ file string }

func (r *reader) errf(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	if n == nil || n.Line == 0 {
		return fmt.Errorf("%s: %s", r.file, msg)
	}
	return fmt.Errorf("%s:%d: %s", r.file, n.Line, msg)
}

// wrap names where an error of a value's content was found.
func (r *reader) wrap(n *yaml.Node, path string, err error) error {
	return r.errf(n, path, "%s", err)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// documents splits a stream into its documents; a document whose root is
// a list is its items. Syntax errors name the file and line.
func (r *reader) documents(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				return nil, fmt.Errorf("%s:%s: %s", r.file, m[1], strings.TrimPrefix(err.Error(), m[0]))
			}
			return nil, fmt.Errorf("%s: %s", r.file, msg)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := resolve(doc.Content[0])
		if root.Kind == yaml.SequenceNode {
			for _, item := range root.Content {
				docs = append(docs, resolve(item))
			}
			continue
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		docs = append(docs, root)
	}
	return docs, nil
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// mapping returns a mapping's values by key, refusing keys not in known
// and keys given twice. A null node is an empty mapping.
func (r *reader) mapping(n *yaml.Node, path string, known ...string) (map[string]*yaml.Node, error) {
	n = resolve(n)
	if isNull(n) {
		return map[string]*yaml.Node{}, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, r.errf(n, path, "want a mapping")
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, r.errf(k, path, "want a string key")
		}
		if known != nil && !slices.Contains(known, k.Value) {
			return nil, r.errf(k, join(path, k.Value), "unknown field (want %s)", strings.Join(known, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, r.errf(k, join(path, k.Value), "given twice")
		}
		out[k.Value] = v
	}
	return out, nil
}

// keyNode returns the node of a mapping's key, for errors about a value
// that has no line of its own.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// str reads a scalar as a string; null is "".
func (r *reader) str(n *yaml.Node, path string) (string, error) {
	n = resolve(n)
	if isNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", r.errf(n, path, "want a string")
	}
	return n.Value, nil
}

// number reads a finite number.
func (r *reader) number(n *yaml.Node, path string) (float64, error) {
	n = resolve(n)
	var v float64
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" && n.Tag != "!!float" || n.Decode(&v) != nil {
		return 0, r.errf(n, path, "want a number")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, r.errf(n, path, "%s: want a finite number", n.Value)
	}
	return v, nil
}

// boolean reads true or false.
func (r *reader) boolean(n *yaml.Node, path string) (bool, error) {
	n = resolve(n)
	var b bool
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, r.errf(n, path, "want true or false")
	}
	return b, nil
}

// entry is a key and value of a string mapping, with the key's node.
type entry struct {
	key, value string
	node       *yaml.Node
}

// strings reads a mapping of strings, in the file's order. If lists is
// set, a value may be a list of strings, joined with commas.
func (r *reader) stringMap(n *yaml.Node, path string, lists bool) ([]entry, error) {
	n = resolve(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, r.errf(n, path, "want a mapping of strings")
	}
	var out []entry
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, r.errf(k, path, "want a string key")
		}
		p := join(path, k.Value)
		if seen[k.Value] {
			return nil, r.errf(k, p, "given twice")
		}
		seen[k.Value] = true
		var value string
		switch {
		case v.Kind == yaml.ScalarNode:
			value = v.Value
			if isNull(v) {
				value = ""
			}
		case lists && v.Kind == yaml.SequenceNode:
			var items []string
			for j, item := range v.Content {
				s, err := r.str(item, fmt.Sprintf("%s[%d]", p, j))
				if err != nil {
					return nil, err
				}
				items = append(items, s)
			}
			value = strings.Join(items, ",")
		case lists:
			return nil, r.errf(v, p, "want a string or a list of strings")
		default:
			return nil, r.errf(v, p, "want a string")
		}
		out = append(out, entry{k.Value, value, k})
	}
	return out, nil
}

// list reads a sequence; null is an empty one.
func (r *reader) list(n *yaml.Node, path string) ([]*yaml.Node, error) {
	n = resolve(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, r.errf(n, path, "want a list")
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out, nil
}
