package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"nanduti/internal/cases"
	"nanduti/internal/core"
)

func init() {
	extraCommands = append(extraCommands,
		command{"cases", "cases: export a user's visible cases", runCases})
}

func runCases(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "cases", args, map[string]func(context.Context, []string) error{
		"export": func(ctx context.Context, args []string) error { return c.casesExport(ctx, args) },
	})
}

// casesExport writes the cases a user may see, as that user sees them: persons by pseudonym,
// and by name only with --identities, only for a user whose role may see identities and only
// on the cases shared with their agency in full (or owned by it). The cases service decides
// and audits, exactly as for the web pages and the API.
func (c *CLI) casesExport(ctx context.Context, args []string) error {
	fs := c.newFlagSet("cases export", "cases export --as EMAIL [--format csv|json|htcds] [--identities] [--out FILE] [--data DIR | --db postgres://...]")
	cfg := c.addDBFlags(fs, "nanduti-data")
	format := fs.String("format", "csv", "output format: csv, json, or htcds (JSON with HTCDS 2.0 field names, pseudonyms only)")
	as := fs.String("as", "", "export the cases this user (email) may see, as they see them")
	identities := fs.Bool("identities", false, "name the persons where the user may see identities (each one is audited)")
	out := fs.String("out", "", "write to FILE instead of standard output")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" && *format != "htcds" {
		return usagef("--format must be csv, json or htcds, not %q", *format)
	}
	if *format == "htcds" && *identities {
		return usagef("--format htcds carries pseudonyms only; use --format json or csv with --identities")
	}
	if strings.TrimSpace(*as) == "" {
		return usagef("--as is required: the email of the user whose visible cases are exported")
	}
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	actor, u, err := userActor(ctx, a, *as)
	if err != nil {
		return err
	}
	if *identities {
		// Identities are opened with the key ring; a wrong key file stops here.
		if _, err := a.protect.ready(); err != nil {
			return err
		}
	}
	list, err := a.cases.Export(ctx, actor, *identities)
	if core.Is(err, core.Forbidden) {
		if *identities {
			return fmt.Errorf("the user %q may not export cases with identities", u.Email)
		}
		return fmt.Errorf("the user %q may not export cases (their role does not see single cases)", u.Email)
	}
	if err != nil {
		return c.explain(err)
	}
	var buf bytes.Buffer
	switch *format {
	case "json":
		err = writeCasesJSON(&buf, list)
	case "htcds":
		err = writeCasesHTCDS(&buf, list)
	default:
		err = writeCasesCSV(&buf, list)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = c.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(c.Stderr, "%s: %d cases\n", *out, len(list))
	return nil
}

type exportIdentity struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date,omitempty"`
	Document  string `json:"document,omitempty"`
}

type exportPerson struct {
	Pseudonym        string          `json:"pseudonym"`
	Role             string          `json:"role"`
	PerpetratorRoles []string        `json:"perpetrator_roles,omitempty"`
	VictimStatus     string          `json:"victim_status,omitempty"`
	Identity         *exportIdentity `json:"identity,omitempty"`
}

type exportCase struct {
	Number       string         `json:"number"`
	Title        string         `json:"title"`
	Status       string         `json:"status"`
	Level        string         `json:"level"`
	Exploitation []string       `json:"exploitation"`
	Sector       string         `json:"sector"`
	Department   string         `json:"department"`
	District     string         `json:"district"`
	ReportedOn   string         `json:"reported_on"`
	OpenedOn     string         `json:"opened_on"`
	ClosedOn     string         `json:"closed_on"`
	Source       string         `json:"source"`
	Sensitive    bool           `json:"sensitive"`
	Persons      []exportPerson `json:"persons"`
}

func toExport(c cases.ExportedCase) exportCase {
	e := exportCase{Number: c.Number, Title: c.Title, Status: string(c.Status), Level: string(c.Level),
		Exploitation: c.Exploitation, Sector: c.Sector, Department: c.Department, District: c.District,
		ReportedOn: c.ReportedOn, OpenedOn: c.OpenedOn, ClosedOn: c.ClosedOn, Source: c.Source, Sensitive: c.Sensitive,
		Persons: []exportPerson{}}
	if e.Exploitation == nil {
		e.Exploitation = []string{}
	}
	for _, p := range c.Persons {
		ep := exportPerson{Pseudonym: p.Pseudonym, Role: p.Role, PerpetratorRoles: p.PerpetratorRoles, VictimStatus: p.VictimStatus}
		if p.Identity != nil {
			ep.Identity = &exportIdentity{Name: p.Identity.Name, BirthDate: p.Identity.BirthDate, Document: p.Identity.Document}
		}
		e.Persons = append(e.Persons, ep)
	}
	return e
}

func writeCasesJSON(buf *bytes.Buffer, list []cases.ExportedCase) error {
	out := make([]exportCase, 0, len(list))
	for _, c := range list {
		out = append(out, toExport(c))
	}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"cases": out})
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCasesCSV writes one row per case; the persons column lists each person as
// "pseudonym (role)", with the name after it when the export names them.
func writeCasesCSV(buf *bytes.Buffer, list []cases.ExportedCase) error {
	w := csv.NewWriter(buf)
	w.Write([]string{"number", "title", "status", "level", "exploitation", "sector", "department", "district",
		"reported_on", "opened_on", "closed_on", "source", "sensitive", "persons"})
	for _, c := range list {
		e := toExport(c)
		var ps []string
		for _, p := range e.Persons {
			s := p.Pseudonym + " (" + p.Role + ")"
			if p.Identity != nil {
				s += " " + p.Identity.Name
			}
			ps = append(ps, s)
		}
		row := []string{e.Number, e.Title, e.Status, e.Level, strings.Join(e.Exploitation, ";"), e.Sector, e.Department,
			e.District, e.ReportedOn, e.OpenedOn, e.ClosedOn, e.Source, fmt.Sprint(e.Sensitive), strings.Join(ps, "; ")}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}
