package screening

import (
	"fmt"
	"reflect"
	"strings"
)

// overlayFile is a deployment's rulebook: its own id and version, the embedded rulebook it
// extends, and per framework only what it changes. Items of keyed lists (indicators, hazards,
// sources, ...) replace the item with the same id or are added; other fields, when present,
// replace the embedded value.
type overlayFile struct {
	ID          string           `json:"id"`
	Version     string           `json:"version"`
	Extends     string           `json:"extends"`
	Title       *Text            `json:"title,omitempty"`
	Trafficking *TraffickingBook `json:"trafficking,omitempty"`
	ILO11       *ILO11Book       `json:"forced_labour_ilo11,omitempty"`
	ICLS        *ICLSBook        `json:"forced_labour_icls,omitempty"`
	ChildLabour *ChildLabourBook `json:"child_labour,omitempty"`
}

// archivedRefs names the archived versions a deployment's file may extend.
func archivedRefs() string {
	old, err := Archived()
	if err != nil || len(old) == 0 {
		return "no earlier version"
	}
	refs := make([]string, len(old))
	for i, rb := range old {
		refs[i] = fmt.Sprintf("%q", rb.ID+"@"+rb.Version)
	}
	return "an earlier version kept in it: " + strings.Join(refs, ", ")
}

// LoadOverlay builds a rulebook from the embedded one and a deployment's file (named name,
// holding data). The embedded rulebook is not modified.
func LoadOverlay(name string, data []byte) (*Rulebook, error) {
	current, err := Embedded()
	if err != nil {
		return nil, err
	}
	var o overlayFile
	if err := decodeStrict(data, &o); err != nil {
		return nil, fileError(name, err)
	}
	src := newSourceMap(data)
	locate(reflect.ValueOf(&o), "", name, src)
	top := location{file: name, src: src}
	var errs RulebookErrors
	// A deployment's file may build on an archived version, so that upgrading the binary
	// does not change its rules until it says so.
	base, err := embeddedVersion(o.Extends)
	if err != nil {
		return nil, err
	}
	if base == nil {
		errs.add(top, "extends", "must be %q (the rulebook embedded in this binary) or %s", current.ID+"@"+current.Version, archivedRefs())
		base = current
	}
	switch {
	case o.ID == "":
		errs.add(top, "id", "a deployment rulebook needs its own id")
	case o.ID == base.ID:
		errs.add(top, "id", "must differ from the embedded rulebook's id %q, so that results say which rules produced them", base.ID)
	case !validID(o.ID):
		errs.add(top, "id", "must be lower-case letters, digits, '-' or '_'")
	}
	if o.Version == "" {
		errs.add(top, "version", "a deployment rulebook needs a version")
	}
	baseRef := base.ID + "@" + base.Version
	// Merging keeps the last of two items with the same id; in one file that is a mistake.
	duplicateIDs(reflect.ValueOf(&o), &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	by := o.ID + "@" + o.Version
	rb := &Rulebook{ID: o.ID, Version: o.Version, Title: base.Title, Extends: baseRef}
	if o.Title != nil {
		rb.Title = *o.Title
	}
	rb.Trafficking = mergeTrafficking(base.Trafficking, o.Trafficking, by)
	rb.ILO11 = mergeILO11(base.ILO11, o.ILO11, by)
	rb.ICLS = mergeICLS(base.ICLS, o.ICLS, by)
	rb.ChildLabour = mergeChildLabour(base.ChildLabour, o.ChildLabour, by)
	for _, h := range []*Header{headerOf(o.Trafficking), headerOf(o.ILO11), headerOf(o.ICLS), headerOf(o.ChildLabour)} {
		if h == nil || h.Framework == "" {
			continue
		}
		want := h.at.path
		if h.Framework != want {
			errs.add(h.at, "framework", "is %q under the key %q", h.Framework, want)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := rb.compile(); err != nil {
		return nil, err
	}
	return rb, nil
}

// duplicateIDs reports list items that repeat an id within the file.
func duplicateIDs(v reflect.Value, errs *RulebookErrors) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			duplicateIDs(v.Elem(), errs)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				duplicateIDs(v.Field(i), errs)
			}
		}
	case reflect.Slice:
		seen := map[string]bool{}
		for i := range v.Len() {
			e := v.Index(i)
			if k, ok := e.Interface().(keyed); ok {
				if seen[k.key()] {
					var at location
					if l, ok := e.Addr().Interface().(interface{ where() location }); ok {
						at = l.where()
					}
					errs.add(at, "id", "duplicate id %q in this file", k.key())
				}
				seen[k.key()] = true
			}
			duplicateIDs(e, errs)
		}
	}
}

func headerOf(b any) *Header {
	switch b := b.(type) {
	case *TraffickingBook:
		if b != nil {
			return &b.Header
		}
	case *ILO11Book:
		if b != nil {
			return &b.Header
		}
	case *ICLSBook:
		if b != nil {
			return &b.Header
		}
	case *ChildLabourBook:
		if b != nil {
			return &b.Header
		}
	}
	return nil
}

type keyed interface{ key() string }

// mergeByID returns base with the items of over replacing those with the same id and the
// others appended. It never modifies base.
func mergeByID[T keyed](base, over []T) []T {
	out := make([]T, len(base), len(base)+len(over))
	copy(out, base)
	pos := make(map[string]int, len(out))
	for i, item := range out {
		pos[item.key()] = i
	}
	for _, item := range over {
		if i, ok := pos[item.key()]; ok {
			out[i] = item
			continue
		}
		pos[item.key()] = len(out)
		out = append(out, item)
	}
	return out
}

func mergeHeader(h Header, o Header, by string) Header {
	n := h
	if o.ID != "" {
		n.ID = o.ID
	}
	if o.Version != "" {
		n.Version = o.Version
	}
	if o.Title != (Text{}) {
		n.Title = o.Title
	}
	n.Sources = mergeByID(h.Sources, o.Sources)
	n.modifiedBy = by
	return n
}

func replace[T any](base, over *T) *T {
	if over != nil {
		return over
	}
	return base
}

func mergeTrafficking(b, o *TraffickingBook, by string) *TraffickingBook {
	if o == nil {
		return b
	}
	n := *b
	n.Header = mergeHeader(b.Header, o.Header, by)
	if o.Exploitation != "" {
		n.Exploitation = o.Exploitation
	}
	n.ChildAgeLimit = replace(b.ChildAgeLimit, o.ChildAgeLimit)
	n.Acts = mergeByID(b.Acts, o.Acts)
	n.Dimensions = mergeByID(b.Dimensions, o.Dimensions)
	n.Indicators = mergeByID(b.Indicators, o.Indicators)
	n.DimensionRule = replace(b.DimensionRule, o.DimensionRule)
	if o.Combination != nil {
		c := Combination{}
		if b.Combination != nil {
			c = *b.Combination
		}
		c.Adult = replace(c.Adult, o.Combination.Adult)
		c.Child = replace(c.Child, o.Combination.Child)
		n.Combination = &c
	}
	return &n
}

func mergeILO11(b, o *ILO11Book, by string) *ILO11Book {
	if o == nil {
		return b
	}
	n := *b
	n.Header = mergeHeader(b.Header, o.Header, by)
	n.ListingRule = replace(b.ListingRule, o.ListingRule)
	n.Indicators = mergeByID(b.Indicators, o.Indicators)
	return &n
}

func mergeICLS(b, o *ICLSBook, by string) *ICLSBook {
	if o == nil {
		return b
	}
	n := *b
	n.Header = mergeHeader(b.Header, o.Header, by)
	n.Definition = replace(b.Definition, o.Definition)
	n.Involuntariness = mergeByID(b.Involuntariness, o.Involuntariness)
	n.Coercion = mergeByID(b.Coercion, o.Coercion)
	n.Children = replace(b.Children, o.Children)
	return &n
}

func mergeChildLabour(b, o *ChildLabourBook, by string) *ChildLabourBook {
	if o == nil {
		return b
	}
	n := *b
	n.Header = mergeHeader(b.Header, o.Header, by)
	n.AgeLimit = replace(b.AgeLimit, o.AgeLimit)
	n.MinimumAge = replace(b.MinimumAge, o.MinimumAge)
	n.HazardousAgeLimit = replace(b.HazardousAgeLimit, o.HazardousAgeLimit)
	n.SDGBands = mergeByID(b.SDGBands, o.SDGBands)
	n.AdolescentHours = mergeByID(b.AdolescentHours, o.AdolescentHours)
	n.NightWork = replace(b.NightWork, o.NightWork)
	n.Criadazgo = replace(b.Criadazgo, o.Criadazgo)
	n.Activities = mergeByID(b.Activities, o.Activities)
	n.Hazards = mergeByID(b.Hazards, o.Hazards)
	n.WorstForms = mergeByID(b.WorstForms, o.WorstForms)
	return &n
}

// RulebookError is a problem in a rulebook file, located by file, line and JSON path.
type RulebookError struct {
	File   string
	Line   int
	Path   string
	Reason string
}

// Error reads "file:line: path: reason", as compilers do, so editors can jump to it.
func (e *RulebookError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

// RulebookErrors is every problem found in a rulebook, in the order found.
type RulebookErrors []*RulebookError

// Error lists every problem, one a line.
func (es RulebookErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es *RulebookErrors) add(at location, sub, format string, args ...any) {
	p := at.path
	switch {
	case sub == "":
	case strings.HasPrefix(sub, "["):
		p += sub
	default:
		p = joinPath(p, sub)
	}
	e := &RulebookError{File: at.file, Path: p, Reason: fmt.Sprintf(format, args...)}
	if at.src != nil {
		e.Line = at.src.lineOf(p)
	}
	*es = append(*es, e)
}

func fileError(name string, err error) error {
	if de, ok := err.(*decodeError); ok {
		return &RulebookError{File: name, Line: de.Line, Path: de.Path, Reason: de.Reason}
	}
	return fmt.Errorf("%s: %w", name, err)
}
