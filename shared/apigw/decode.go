package apigw

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// MaxJSONDepth is the deepest nesting of objects and arrays that DecodeJSON
// accepts. The top-level value is at depth 1.
const MaxJSONDepth = 32

// DecodeJSON decodes the request body into dst, which must be a non-nil
// pointer, and rejects anything but one well-formed JSON value that fits dst
// exactly. Errors, all *domain.Error values unless dst is unusable:
//
//   - KindTooLarge: the body is longer than MaxBodyBytes.
//   - KindUnsupportedMedia: the Content-Type is not application/json. Media
//     type parameters are allowed, but a charset other than UTF-8 is not.
//   - KindInvalid, for the body's encoding: the body is empty, is not valid
//     UTF-8, or contains a NUL character, raw or escaped.
//   - KindInvalid, for its structure: the body is not valid JSON, is null,
//     has data after the value, nests deeper than MaxJSONDepth, or repeats a
//     key in one object.
//   - KindInvalid, for its fit to dst: a field that dst does not declare, or
//     a value of the wrong JSON type. The error names the field.
//
// Keys that differ only in case count as duplicates, because encoding/json
// matches field names case-insensitively and would let the second key
// silently replace the first.
//
// NOTE: encoding/json also accepts a field name in a different case, such as
// "SITEID" for siteId. Rejecting that needs a decoder with case-sensitive
// matching, such as encoding/json/v2.
func (r *Request) DecodeJSON(dst any) error {
	if len(r.Body) > MaxBodyBytes {
		return tooLarge()
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return domain.Invalid("the request body is empty, but this route requires a JSON body",
			domain.FieldError{Field: "body", Reason: "required"})
	}
	if err := checkContentType(r.Header.Values("Content-Type")); err != nil {
		return err
	}
	if !utf8.Valid(r.Body) {
		return domain.Invalid("the request body is not valid UTF-8",
			domain.FieldError{Field: "body", Reason: "must be UTF-8"})
	}
	if bytes.IndexByte(r.Body, 0) >= 0 {
		return domain.Invalid("the request body contains a NUL byte",
			domain.FieldError{Field: "body", Reason: "must not contain NUL"})
	}
	if err := checkJSONShape(r.Body); err != nil {
		return err
	}

	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	return nil
}

// checkContentType accepts exactly one Content-Type value whose media type is
// application/json, matched case-insensitively.
func checkContentType(values []string) error {
	unsupported := domain.Errorf(domain.KindUnsupportedMedia,
		"the request body must be sent with Content-Type: %s", ContentTypeJSON)
	if len(values) != 1 {
		return unsupported
	}
	mediaType, params, err := mime.ParseMediaType(values[0])
	if err != nil || mediaType != ContentTypeJSON {
		return unsupported
	}
	if charset, ok := params["charset"]; ok && !strings.EqualFold(charset, "utf-8") {
		return unsupported
	}
	return nil
}

// jsonFrame is one open object or array during checkJSONShape's walk.
type jsonFrame struct {
	object  bool
	path    string              // field path of the container, "" at the top
	keys    map[string]struct{} // folded keys seen so far (objects only)
	wantKey bool                // the next token is a key (objects only)
	key     string              // the current key (objects only)
	index   int                 // the next element's index (arrays only)
}

// childPath returns the field path of the value the frame expects next.
func (f *jsonFrame) childPath() string {
	if f.object {
		if f.path == "" {
			return f.key
		}
		return f.path + "." + f.key
	}
	return fmt.Sprintf("%s[%d]", f.path, f.index)
}

// checkJSONShape walks the tokens of body and rejects syntax errors, a
// top-level null, data after the first value, nesting deeper than
// MaxJSONDepth, repeated keys and strings that contain NUL. Doing this before
// the typed decode is what catches duplicates, which encoding/json accepts.
func checkJSONShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()

	var stack []*jsonFrame
	done := false
	for !done {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}

		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				done = valueDone(stack)
				continue
			}
			key, _ := tok.(string)
			if err := checkKey(top, key); err != nil {
				return err
			}
			continue
		}

		path := ""
		if top != nil {
			path = top.childPath()
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) == MaxJSONDepth {
					return domain.Invalid(fmt.Sprintf("the request body nests objects and arrays deeper than %d levels", MaxJSONDepth),
						domain.FieldError{Field: fieldOrBody(path), Reason: "nested too deeply"})
				}
				frame := &jsonFrame{object: v == '{', path: path, wantKey: v == '{'}
				if frame.object {
					frame.keys = map[string]struct{}{}
				}
				stack = append(stack, frame)
			case ']':
				stack = stack[:len(stack)-1]
				done = valueDone(stack)
			}
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				return domain.Invalid(fmt.Sprintf("field %s contains a NUL character", fieldOrBody(path)),
					domain.FieldError{Field: fieldOrBody(path), Reason: "must not contain NUL"})
			}
			done = valueDone(stack)
		case nil:
			if top == nil {
				return domain.Invalid("the request body is null, but this route requires a JSON value",
					domain.FieldError{Field: "body", Reason: "must not be null"})
			}
			done = valueDone(stack)
		default:
			done = valueDone(stack)
		}
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Invalid("the request body has data after the JSON value",
			domain.FieldError{Field: "body", Reason: "must contain exactly one JSON value"})
	}
	return nil
}

// checkKey records key in the object frame and rejects a repeat.
func checkKey(f *jsonFrame, key string) error {
	f.key = key
	f.wantKey = false
	path := f.childPath()
	if strings.IndexByte(key, 0) >= 0 {
		return domain.Invalid(fmt.Sprintf("key %s contains a NUL character", strconv.Quote(path)),
			domain.FieldError{Field: path, Reason: "must not contain NUL"})
	}
	folded := foldKey(key)
	if _, seen := f.keys[folded]; seen {
		return domain.Invalid(fmt.Sprintf("duplicate key %s", strconv.Quote(path)),
			domain.FieldError{Field: path, Reason: "duplicate key"})
	}
	f.keys[folded] = struct{}{}
	return nil
}

// valueDone advances the innermost container past one complete value and
// reports whether that value was the top-level one.
func valueDone(stack []*jsonFrame) bool {
	if len(stack) == 0 {
		return true
	}
	top := stack[len(stack)-1]
	if top.object {
		top.wantKey = true
	} else {
		top.index++
	}
	return false
}

// foldKey maps every rune of key to the smallest rune of its simple case
// folding orbit, so two keys fold equal exactly when strings.EqualFold, and so
// encoding/json's field matching, treats them as equal.
func foldKey(key string) string {
	var b strings.Builder
	b.Grow(len(key))
	for _, r := range key {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < least {
				least = f
			}
		}
		b.WriteRune(least)
	}
	return b.String()
}

func fieldOrBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// syntaxError converts an error of json.Decoder.Token into a KindInvalid
// error. Token returns io.EOF or io.ErrUnexpectedEOF when the body ends
// inside a value.
func syntaxError(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return domain.Invalid(fmt.Sprintf("the request body is not valid JSON: %s at byte %d", se.Error(), se.Offset),
			domain.FieldError{Field: "body", Reason: "must be valid JSON"})
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Invalid("the request body ends before the JSON value is complete",
			domain.FieldError{Field: "body", Reason: "must be valid JSON"})
	default:
		return domain.Invalid("the request body is not valid JSON",
			domain.FieldError{Field: "body", Reason: "must be valid JSON"})
	}
}

// decodeError converts an error of the strict typed decode into a
// KindInvalid error that names the field. An unusable dst is a bug and is
// returned wrapped, so it becomes a 500.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var invalidErr *json.InvalidUnmarshalError
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		return err
	case errors.As(err, &invalidErr):
		return fmt.Errorf("decode request body: %w", err)
	case errors.As(err, &typeErr):
		field := fieldOrBody(typeErr.Field)
		reason := "must be " + jsonTypeName(typeErr.Type)
		return domain.Invalid(fmt.Sprintf("field %s %s, got %s", field, reason, typeErr.Value),
			domain.FieldError{Field: field, Reason: reason})
	}

	// encoding/json reports an unknown field only as a message of the form
	// `json: unknown field "name"`.
	if quoted, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, unquoteErr := strconv.Unquote(quoted)
		if unquoteErr != nil {
			name = quoted
		}
		return domain.Invalid(fmt.Sprintf("unknown field %s", strconv.Quote(name)),
			domain.FieldError{Field: name, Reason: "unknown field"})
	}
	return domain.Invalid(fmt.Sprintf("the request body is invalid: %v", err),
		domain.FieldError{Field: "body", Reason: "invalid value"})
}

// jsonTypeName describes the JSON value that Go type t decodes from.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a different type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a " + t.String()
	}
}
