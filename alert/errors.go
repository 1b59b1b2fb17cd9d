package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// FieldError reports a value that is wrong, with the path of the field that
// holds it: "labels", "alerts[3].labels", "[0].startsAt".
type FieldError struct {
	Path string
	Err  error
}

// Error returns "path: reason".
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

// SyntaxError reports a payload that is not well-formed JSON, with the line
// and column (both from 1, columns in bytes) where it goes wrong.
type SyntaxError struct {
	Line, Column int
	// Offset is the byte offset of the error in the payload.
	Offset int64
	Msg    string
}

// Error returns "malformed JSON at line L, column C: reason".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// LimitError reports a payload, or one alert of it, that exceeds one of the
// decoding limits. HTTP intake answers a payload refused whole for it with
// 413 Request Entity Too Large.
type LimitError struct {
	// Path names what is too large: "body", "alerts", "alerts[3].labels",
	// "[3].labels.instance".
	Path string
	// Limit is the largest accepted size, in Unit.
	Limit int64
	// Unit is "bytes", "alerts" or "labels".
	Unit string
	// What, when set, is what is too long at Path: "value" (of the label
	// or annotation that Path names), or `name "..."` (of a label or
	// annotation of the set that Path names, quoted up to its first 32
	// bytes). Size is then its length, in Unit.
	What string
	Size int64
}

// Error returns "path: more than the limit of N unit", or, when What is
// set, "path: what of S unit is longer than the limit of N", as
// "[3].labels.instance: value of 1048576 bytes is longer than the limit of
// 4096".
func (e *LimitError) Error() string {
	if e.What != "" {
		return fmt.Sprintf("%s: %s of %d %s is longer than the limit of %d", e.Path, e.What, e.Size, e.Unit, e.Limit)
	}
	return fmt.Sprintf("%s: more than the limit of %d %s", e.Path, e.Limit, e.Unit)
}

// fieldErr returns a FieldError at path with a formatted message.
func fieldErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Err: fmt.Errorf(format, args...)}
}

// joinPath appends sub to path: "alerts[3]" + "labels" = "alerts[3].labels",
// "alerts" + "[3]" = "alerts[3]".
func joinPath(path, sub string) string {
	switch {
	case path == "":
		return sub
	case sub == "":
		return path
	case sub[0] == '[':
		return path + sub
	}
	return path + "." + sub
}

// within puts err, an error of an alert's own fields, at the alert's path.
func within(path string, err error) error {
	if e, ok := err.(*FieldError); ok {
		return &FieldError{Path: joinPath(path, e.Path), Err: e.Err}
	}
	return &FieldError{Path: path, Err: err}
}

// syntaxError returns a SyntaxError for the byte at offset off of data (or
// the end of data), with its line and column.
func syntaxError(data []byte, off int64, msg string) *SyntaxError {
	off = min(max(off, 0), int64(len(data)))
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	if off == int64(len(data)) && strings.HasPrefix(msg, "unexpected end") {
		msg = "unexpected end of input"
	}
	return &SyntaxError{Line: line, Column: col, Offset: off, Msg: msg}
}

// jsonSyntaxError converts encoding/json's syntax error about data.
func jsonSyntaxError(data []byte, se *json.SyntaxError) *SyntaxError {
	off := se.Offset
	if off < int64(len(data)) || !strings.HasPrefix(se.Error(), "unexpected end") {
		off-- // encoding/json counts the offending byte as read
	}
	return syntaxError(data, off, se.Error())
}

// locateError explains err, encoding/json's error decoding data (the value
// at path) into v. encoding/json reports errors without the index of the
// array element they are in; locateError walks data beside the type of v to
// find the exact path of the first bad value. With strict set, an object key
// that matches no field is an error too.
func locateError(data []byte, v any, path string, strict bool, err error) error {
	found := locate(data, reflect.TypeOf(v).Elem(), path, strict)
	if found == nil { // not expected: say what encoding/json said
		found = &FieldError{Path: path, Err: explain(err)}
	}
	if fe, ok := found.(*FieldError); ok && fe.Path == "" {
		fe.Path = "body"
	}
	return found
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	durationType    = reflect.TypeFor[model.Duration]()
	rawType         = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
)

// locate returns the first error found decoding data as a t, at its path, or
// nil if data decodes. Object members are checked in the order they appear,
// duplicates included, since encoding/json lets the last of them win.
func locate(data []byte, t reflect.Type, path string, strict bool) error {
	switch t {
	case timeType:
		return decodeLeaf(data, t, path)
	case rawType: // any JSON value, decoded later
		return nil
	}
	var found error
	switch t.Kind() {
	case reflect.Pointer:
		if jsonKind(data) == "null" {
			return nil
		}
		return locate(data, t.Elem(), path, strict)
	case reflect.Struct, reflect.Map:
		found = locateMembers(data, t, path, strict)
	case reflect.Slice, reflect.Array:
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return fieldErr(path, "expected an array, got %s", jsonKind(data))
		}
		for i, e := range elems {
			if found = locate(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), strict); found != nil {
				break
			}
		}
	default:
		return decodeLeaf(data, t, path)
	}
	// A composite type with its own decoding may refuse what its parts accept
	// (model.LabelSet checks its names).
	pt := reflect.PointerTo(t)
	if found == nil && (pt.Implements(unmarshalerType) || pt.Implements(textType)) {
		return decodeLeaf(data, t, path)
	}
	return found
}

// locateMembers checks the members of an object decoded into a struct or a
// map of type t.
func locateMembers(data []byte, t reflect.Type, path string, strict bool) error {
	if jsonKind(data) == "null" {
		return nil
	}
	if jsonKind(data) != "object" {
		return fieldErr(path, "expected an object, got %s", jsonKind(data))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the opening brace
		return &FieldError{Path: path, Err: err}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return &FieldError{Path: path, Err: err}
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return &FieldError{Path: joinPath(path, key), Err: err}
		}
		elem := t
		if t.Kind() == reflect.Struct {
			f, ok := fieldByJSONName(t, key)
			if !ok {
				if strict {
					return fieldErr(joinPath(path, key), "unknown field")
				}
				continue
			}
			elem = f.Type
		} else {
			elem = t.Elem()
		}
		if err := locate(value, elem, joinPath(path, key), strict); err != nil {
			return err
		}
	}
	return nil
}

func decodeLeaf(data []byte, t reflect.Type, path string) error {
	err := json.Unmarshal(data, reflect.New(t).Interface())
	if err == nil {
		return nil
	}
	switch t {
	case timeType:
		if kind := jsonKind(data); kind != "string" {
			return fieldErr(path, "expected an RFC 3339 time string, got %s", kind)
		}
	case durationType:
		var s string
		if json.Unmarshal(data, &s) != nil {
			return fieldErr(path, "expected a duration string, got %s", jsonKind(data))
		}
		return fieldErr(path, "invalid duration %q (want a number and a unit, like 90s, 5m, 1h30m or 1d)", s)
	}
	return &FieldError{Path: path, Err: explain(err)}
}

// jsonKind names the kind of the JSON value data, as encoding/json does in
// its type errors.
func jsonKind(data []byte) string {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// explain rewrites encoding/json's messages into ones about the payload
// rather than about Go types.
func explain(err error) error {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Errorf("expected %s, got %s", describe(te.Type), te.Value)
	}
	if pe, ok := err.(*time.ParseError); ok {
		return fmt.Errorf("invalid time %q (want RFC 3339, like 2026-11-23T09:28:12Z)", pe.Value)
	}
	return err
}

func describe(t reflect.Type) string {
	if t == timeType {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return t.String()
}

// fieldByJSONName finds the field that encoding/json would decode key into:
// an exact match of the JSON name first, else a case-insensitive one.
func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold reflect.StructField
	folded := false
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if !folded && strings.EqualFold(name, key) {
			fold, folded = f, true
		}
	}
	return fold, folded
}
