package screening

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the result in its JSON form (section 5 of the screening reference),
// indented, with a final newline.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the result for a person to read, in the result's language. It uses only
// the result, so a stored result renders the same years later.
func (r *Result) WriteText(w io.Writer) error {
	m := msgs(r.Lang)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s", m.rulebook, r.Rulebook.ID, r.Rulebook.Version)
	if r.Rulebook.Extends != "" {
		fmt.Fprintf(&b, " (%s)", r.Rulebook.Extends)
	}
	b.WriteString("\n" + r.Caution + "\n")
	for i := range r.Results {
		f := &r.Results[i]
		name := m.framework[f.Framework]
		if name == "" {
			name = f.Framework
		}
		fmt.Fprintf(&b, "\n== %s: %s\n", name, strings.ToUpper(m.outcome[f.Outcome]))
		wrap(&b, f.Title, "   ", 96)
		fmt.Fprintf(&b, "   %s %s", f.Rulebook.ID, f.Rulebook.Version)
		if f.Rulebook.ModifiedBy != "" {
			fmt.Fprintf(&b, " + %s", f.Rulebook.ModifiedBy)
		}
		b.WriteString("\n")
		wrap(&b, f.Explanation, "   ", 96)
		if len(f.Dimensions) > 0 {
			fmt.Fprintf(&b, "   %s:\n", m.dimensions)
			for _, d := range f.Dimensions {
				mark := "[ ]"
				if d.Positive {
					mark = "[+]"
				}
				line := "     " + mark + " " + d.Name
				if d.Threshold != "" {
					line += " (" + d.Threshold + ")"
				}
				b.WriteString(line + "\n")
				for _, ind := range d.Indicators {
					fmt.Fprintf(&b, "         - %s, %s: %s\n", ind.ID, m.strength[ind.Strength], ind.Label)
				}
			}
		}
		if len(f.Clauses) > 0 {
			fmt.Fprintf(&b, "   %s:\n", m.clauses)
			for _, c := range f.Clauses {
				mark, state := "[ ]", m.notMet
				if c.Met {
					mark, state = "[x]", m.met
				}
				fmt.Fprintf(&b, "     %s %s: %s", mark, c.Label, state)
				if c.ToVerify {
					fmt.Fprintf(&b, " (%s)", strings.ToLower(m.toVerify))
				}
				b.WriteString("\n")
				if c.Detail != "" {
					wrap(&b, c.Detail, "         ", 96)
				}
			}
		}
		if len(f.Evidence) > 0 {
			fmt.Fprintf(&b, "   %s:\n", m.evidence)
			for _, e := range f.Evidence {
				fmt.Fprintf(&b, "     - %s: %s\n", e.Label, strings.Join(e.From, ", "))
			}
		}
		if len(f.ToVerify) > 0 {
			fmt.Fprintf(&b, "   %s:\n", m.toVerify)
			for _, v := range f.ToVerify {
				wrap(&b, "- "+v.ID+": "+v.Note, "     ", 96)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap writes text as lines of at most width runes, each starting with indent, breaking at
// spaces; it keeps the output readable on a narrow terminal.
func wrap(b *strings.Builder, text, indent string, width int) {
	line := indent
	n := len([]rune(indent))
	for _, word := range strings.Fields(text) {
		wl := len([]rune(word))
		if n > len([]rune(indent)) && n+1+wl > width {
			b.WriteString(line + "\n")
			line, n = indent, len([]rune(indent))
		}
		if n > len([]rune(indent)) {
			line += " "
			n++
		}
		line += word
		n += wl
	}
	b.WriteString(line + "\n")
}
