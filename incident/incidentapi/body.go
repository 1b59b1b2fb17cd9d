package incidentapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// readBody reads an action's body: JSON of at most Options.MaxBody bytes.
// An empty body reads as nil. The Content-Type must say JSON even then:
// a browser sends such a request to another origin only if that origin
// allows it, so a page elsewhere cannot act on the user's behalf.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, unsupportedType("missing Content-Type; use application/json")
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return nil, unsupportedType("unsupported Content-Type " + strconv.Quote(ct) + "; use application/json")
	}
	if r.ContentLength > a.opts.MaxBody {
		return nil, tooLarge(a.opts.MaxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opts.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge(a.opts.MaxBody)
		}
		return nil, badRequest("", "reading the body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	return body, nil
}

func unsupportedType(msg string) error {
	return &apiError{status: http.StatusUnsupportedMediaType, body: ErrorBody{Error: msg}}
}

func tooLarge(limit int64) error {
	return &apiError{status: http.StatusRequestEntityTooLarge, body: ErrorBody{Error: "body larger than " + strconv.FormatInt(limit, 10) + " bytes"}}
}

// decode decodes a JSON object into v, refusing unknown fields and
// trailing data; a nil body leaves v as it is. Its errors are 400s naming
// the field at fault.
func decode(body []byte, v any) error {
	if body == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("", "malformed JSON: data after the object")
	}
	return nil
}

// jsonError turns a decoding error into a 400 that says, in the client's
// terms, what was wrong.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badRequest("", "malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "malformed JSON: unexpected end of the body")
	case errors.As(err, &typ):
		got, _, _ := strings.Cut(typ.Value, " ")
		if typ.Field == "" {
			return badRequest("", "want a JSON object, got %s", article(got))
		}
		return badRequest(typ.Field, "want %s, got %s", kindName(typ.Type), article(got))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, err := strconv.Unquote(f); err == nil {
			return badRequest(name, "unknown field")
		}
	}
	return badRequest("", "malformed JSON: %v", err)
}

// kindName names the JSON that a Go type decodes from.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// article puts "a" or "an" before a JSON type's name: "a number", "an
// array".
func article(kind string) string {
	switch kind {
	case "":
		return "something else"
	case "array", "object":
		return "an " + kind
	case "bool":
		return "a boolean"
	}
	return "a " + kind
}
