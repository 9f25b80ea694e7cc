package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The JSON decoder reports byte offsets, and only for syntax and type errors; people fix files
// by line. sourceMap records where every key and array element of a document starts, so that
// any error, including the semantic ones found after decoding, can name a line.
type sourceMap struct {
	data      []byte
	newlines  []int            // offsets of '\n', for offset -> line
	positions map[string]int64 // JSON path -> offset where its key or element starts
	order     []string         // paths in document order
}

// newSourceMap scans data once. A document with a syntax error yields the paths before it.
func newSourceMap(data []byte) *sourceMap {
	m := &sourceMap{data: data, positions: map[string]int64{}}
	for i, b := range data {
		if b == '\n' {
			m.newlines = append(m.newlines, i)
		}
	}
	type frame struct {
		object  bool
		wantKey bool
		key     string
		index   int
		path    string
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		start := m.skipSeparators(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			break
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		delim, isDelim := tok.(json.Delim)
		if isDelim && (delim == '}' || delim == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if top != nil && top.object && top.wantKey {
			key, _ := tok.(string)
			top.key, top.wantKey = key, false
			m.record(joinPath(top.path, key), start)
			continue
		}
		path := ""
		switch {
		case top == nil:
			m.record(path, start)
		case top.object:
			path = joinPath(top.path, top.key)
		default:
			path = top.path + "[" + strconv.Itoa(top.index) + "]"
			top.index++
			m.record(path, start)
		}
		if isDelim {
			stack = append(stack, &frame{object: delim == '{', wantKey: delim == '{', path: path})
			continue
		}
		if top != nil && top.object {
			top.wantKey = true
		}
	}
	return m
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func (m *sourceMap) record(path string, offset int64) {
	if _, seen := m.positions[path]; seen {
		return
	}
	m.positions[path] = offset
	m.order = append(m.order, path)
}

// skipSeparators moves past whitespace, commas and colons, which Token consumes silently, so
// that a recorded position is the first byte of the key or value itself.
func (m *sourceMap) skipSeparators(off int64) int64 {
	for off < int64(len(m.data)) {
		switch m.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// line returns the 1-based line of a byte offset.
func (m *sourceMap) line(offset int64) int {
	return sort.SearchInts(m.newlines, int(offset)) + 1
}

// lineOf returns the line of path, or of its nearest recorded ancestor, or 0 when unknown.
func (m *sourceMap) lineOf(path string) int {
	for {
		if off, ok := m.positions[path]; ok {
			return m.line(off)
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// decodeStrict decodes exactly one JSON document into v, rejecting unknown fields and trailing
// data. Errors are *decodeError values carrying the path and line of the problem.
func decodeStrict(data []byte, v any) error { return decodeStrictWith(data, v, true) }

// decodeStrictWith is decodeStrict, with unknown fields allowed when strict is false.
func decodeStrictWith(data []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			m := newSourceMap(data)
			return &decodeError{Line: m.line(m.skipSeparators(dec.InputOffset())), Reason: "unexpected data after the JSON document"}
		}
		return nil
	}
	m := newSourceMap(data)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &decodeError{Line: 1, Reason: "empty document"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &decodeError{Line: m.line(int64(len(bytes.TrimRight(data, " \t\r\n")))), Reason: "unexpected end of the JSON document"}
	case errors.As(err, &syntax):
		return &decodeError{Line: m.line(syntax.Offset), Reason: "invalid JSON: " + strings.TrimPrefix(syntax.Error(), "json: ")}
	case errors.As(err, &typ):
		path := typ.Field
		line := m.line(typ.Offset)
		if p, ok := m.pathBefore(typ.Offset); ok && (path == "" || strings.HasPrefix(stripIndexes(p), path)) {
			path, line = p, m.lineOf(p)
		}
		return &decodeError{Path: path, Line: line, Reason: "must be " + describeType(typ.Type)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		if p, ok := m.firstUnknown(reflect.TypeOf(v)); ok {
			return &decodeError{Path: p, Line: m.lineOf(p), Reason: "unknown field"}
		}
		return &decodeError{Line: m.line(m.skipSeparators(dec.InputOffset())), Reason: strings.TrimPrefix(err.Error(), "json: ")}
	default:
		return &decodeError{Line: m.line(m.skipSeparators(dec.InputOffset())), Reason: strings.TrimPrefix(err.Error(), "json: ")}
	}
}

// decodeError is a decoding failure located in the document.
type decodeError struct {
	Path   string
	Line   int
	Reason string
}

// Error reads "line N: path: reason".
func (e *decodeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Path, e.Reason)
}

// pathBefore returns the path recorded last at or before offset: for a type error, the value
// that could not be decoded.
func (m *sourceMap) pathBefore(offset int64) (string, bool) {
	best, found := "", false
	var bestOff int64 = -1
	for _, p := range m.order {
		if off := m.positions[p]; off <= offset && off > bestOff {
			best, bestOff, found = p, off, true
		}
	}
	return best, found
}

func stripIndexes(path string) string {
	var b strings.Builder
	skipping := false
	for _, r := range path {
		switch {
		case r == '[':
			skipping = true
		case r == ']':
			skipping = false
		case !skipping:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	default:
		return "an object"
	}
}

// firstUnknown returns the first path, in document order, that names no field of t.
func (m *sourceMap) firstUnknown(t reflect.Type) (string, bool) {
	for _, p := range m.order {
		if p != "" && !pathKnown(t, splitPath(p)) {
			return p, true
		}
	}
	return "", false
}

func splitPath(path string) []string {
	var segs []string
	for path != "" {
		switch {
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			segs = append(segs, path[:end+1])
			path = path[end+1:]
		case path[0] == '.':
			path = path[1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, path[:end])
			path = path[end:]
		}
	}
	return segs
}

// pathKnown reports whether segs name fields that exist in t. Shapes that do not match (a key
// under a list, say) count as known: the decoder reports those as type errors.
func pathKnown(t reflect.Type, segs []string) bool {
	for _, seg := range segs {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case strings.HasPrefix(seg, "["):
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
				return true
			}
			t = t.Elem()
		case t.Kind() == reflect.Map:
			t = t.Elem()
		case t.Kind() == reflect.Struct:
			ft, ok := jsonFields(t)[strings.ToLower(seg)]
			if !ok {
				return false
			}
			t = ft
		default:
			return true
		}
	}
	return true
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the lower-cased JSON names of a struct's fields, including promoted fields of
// embedded structs, to their types, matching encoding/json's case-insensitive lookup.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, dup := fields[k]; !dup {
						fields[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[strings.ToLower(name)] = f.Type
	}
	fieldCache.Store(t, fields)
	return fields
}
