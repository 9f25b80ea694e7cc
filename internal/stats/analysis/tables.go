package analysis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/stats/ctdc"
	"nanduti/internal/stats/unodc"
)

// SourceDB names the case database as a source of identified victims (trafficking status
// actual); SourceDBPresumed as a source of presumed victims (status possible, never actual).
const (
	SourceDB         = "db"
	SourceDBPresumed = "db:presumed"
)

// IsCaseSource reports whether a source is the case database.
func IsCaseSource(source string) bool { return source == SourceDB || source == SourceDBPresumed }

// DatasetSource names an analysis dataset as a source.
func DatasetSource(id int64) string { return "dataset:" + strconv.FormatInt(id, 10) }

// Request asks for statistics: where the records come from, which to keep and how to protect
// the tables. Nothing in it is personal data, so it travels in URLs.
type Request struct {
	// Source is SourceDB, SourceDBPresumed or DatasetSource(id).
	Source string
	// By are the dimensions of the table the analyst composes.
	By      []string
	Filters []*stats.Filter
	// Agencies keeps only cases owned by these agencies (case database only).
	Agencies []int64
	// Threshold is the disclosure threshold K (at least MinThreshold).
	Threshold int
	// Params are the names of the parameters given, for the audit of exports.
	Params []string
}

// Threshold bounds: below 3 "<K" would reveal counts; above 100 tables say nothing.
const (
	MinThreshold = 3
	MaxThreshold = 100
)

// MaxDimensions bounds the dimensions of a composed table: more would be all small cells.
const MaxDimensions = 3

// FilterParams are the request parameters that filter by a dimension, with the dimension.
var FilterParams = []struct{ Param, Dim string }{
	{"sex", "sex"}, {"age_group", "age_group"}, {"exploitation", "exploitation"},
	{"citizenship", "citizenship"}, {"department", "department"},
}

// ParseRequest reads a request from URL parameters: source, by (comma-separated or repeated),
// year_from, year_to, sex, age_group, exploitation, citizenship, department, agency (repeated,
// case database only) and threshold. Every problem is reported at once, by parameter.
func ParseRequest(q url.Values) (Request, error) {
	req := Request{Source: strings.TrimSpace(q.Get("source")), Threshold: stats.DefaultThreshold}
	var v core.Validation
	for name, vals := range q {
		if slices.ContainsFunc(vals, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			req.Params = append(req.Params, name)
		}
	}
	slices.Sort(req.Params)
	if req.Source != "" && !IsCaseSource(req.Source) {
		if _, err := datasetID(req.Source); err != nil {
			v.Add("source", "stats.error.source")
		}
	}
	seen := map[string]bool{}
	for _, raw := range q["by"] {
		for _, n := range strings.Split(raw, ",") {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			d, err := stats.LookupDimension(n)
			if err != nil {
				v.Add("by", "stats.error.dimension", n)
				continue
			}
			if !seen[d.Key] {
				seen[d.Key] = true
				req.By = append(req.By, d.Key)
			}
		}
	}
	if len(req.By) > MaxDimensions {
		v.Add("by", "stats.error.too_many_dimensions", MaxDimensions)
	}
	from, to := strings.TrimSpace(q.Get("year_from")), strings.TrimSpace(q.Get("year_to"))
	yearOK := true
	for _, p := range []struct{ name, val string }{{"year_from", from}, {"year_to", to}} {
		if p.val == "" {
			continue
		}
		if n, err := strconv.Atoi(p.val); err != nil || n < 1900 || n > 2200 {
			v.Add(p.name, "stats.error.year")
			yearOK = false
		}
	}
	if yearOK && (from != "" || to != "") {
		f, err := stats.ParseFilters("year=" + from + ".." + to)
		if err != nil {
			v.Add("year_to", "stats.error.year_range")
		} else {
			req.Filters = append(req.Filters, f...)
		}
	}
	for _, fp := range FilterParams {
		var vals []string
		for _, raw := range q[fp.Param] {
			if raw = strings.TrimSpace(raw); raw != "" {
				vals = append(vals, raw)
			}
		}
		if len(vals) == 0 {
			continue
		}
		f, err := stats.ParseFilters(fp.Dim + "=" + strings.Join(vals, "|"))
		if err != nil || strings.ContainsAny(strings.Join(vals, ""), ",=|") {
			v.Add(fp.Param, "stats.error.value")
			continue
		}
		req.Filters = append(req.Filters, f...)
	}
	for _, raw := range q["agency"] {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			v.Add("agency", "stats.error.agency")
			continue
		}
		req.Agencies = append(req.Agencies, id)
	}
	if raw := strings.TrimSpace(q.Get("threshold")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < MinThreshold || n > MaxThreshold {
			v.Add("threshold", "stats.error.threshold", MinThreshold, MaxThreshold)
		} else {
			req.Threshold = n
		}
	}
	return req, v.Err()
}

func datasetID(source string) (int64, error) {
	rest, ok := strings.CutPrefix(source, "dataset:")
	if !ok {
		return 0, errors.New("not a dataset source")
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("bad dataset id")
	}
	return id, nil
}

// opened is a resolved source.
type opened struct {
	src      stats.Source
	describe string
	dataset  int64
	// owner is the agency owning the records: the dataset's owner, or the actor's agency.
	owner int64
	// what the records are: identified or presumed victims.
	what string
}

func invalidField(field, key string, args ...any) error {
	return &core.Error{Code: core.Invalid, Key: "error.invalid_form", Fields: []core.FieldError{{Field: field, Key: key, Args: args}}}
}

// open resolves the request's source for the actor: a dataset it may use (another agency's
// is not found), or the case database restricted to what the actor's agency may count.
func (s *Service) open(ctx context.Context, actor core.Actor, req Request) (opened, error) {
	if !access.CanUseStats(actor) {
		return opened{}, forbidden
	}
	switch {
	case IsCaseSource(req.Source):
		if s.cfg.Cases == nil {
			return opened{}, invalidField("source", "stats.error.db_unavailable")
		}
		scope := stats.CaseScope{All: access.CanCountAllAgencies(actor), AgencyID: actor.AgencyID, Agencies: req.Agencies,
			Presumed: req.Source == SourceDBPresumed}
		o := opened{src: stats.CaseSource{Data: s.cfg.Cases, Scope: scope}, owner: actor.AgencyID,
			describe: "Ñandutí case database, identified victims (trafficking status actual)", what: "Victims identified"}
		if scope.Presumed {
			o.describe, o.what = "Ñandutí case database, presumed victims (trafficking status possible)", "Presumed victims"
		}
		return o, nil
	case req.Source == "":
		return opened{}, invalidField("source", "stats.error.source_required")
	}
	if len(req.Agencies) > 0 {
		return opened{}, invalidField("agency", "stats.error.agency_dataset")
	}
	id, err := datasetID(req.Source)
	if err != nil {
		return opened{}, invalidField("source", "stats.error.source")
	}
	d, err := s.dataset(ctx, actor, id)
	if err != nil {
		return opened{}, err
	}
	return opened{src: datasetSource{s, id}, dataset: id, owner: d.AgencyID, what: "Victims identified",
		describe: fmt.Sprintf("CTDC dataset %q (file %s, %s, %d records, imported %s)", d.Name, d.FileName, d.Layout, d.Rows,
			d.ImportedAt.UTC().Format("2006-01-02"))}, nil
}

// Spec names one table: an identifier for links and the dimensions.
type Spec struct {
	ID string
	By []string
}

// StandardSpecs are the tables every dashboard and report shows: victims by year, by form of
// exploitation, and by sex and age group.
var StandardSpecs = []Spec{
	{ID: "year", By: []string{"year"}},
	{ID: "exploitation", By: []string{"exploitation"}},
	{ID: "sex_age", By: []string{"sex", "age_group"}},
}

// Tables computes the tables of specs from the request's source in one pass over the records,
// each protected with the request's threshold. It is what the dashboard shows; nothing leaves
// the system through it unprotected.
func (s *Service) Tables(ctx context.Context, actor core.Actor, req Request, specs []Spec) ([]*stats.Document, error) {
	o, err := s.open(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	return s.tabulate(ctx, o, req, specs)
}

func (s *Service) tabulate(ctx context.Context, o opened, req Request, specs []Spec) ([]*stats.Document, error) {
	tabs := make([]*stats.Tabulator, len(specs))
	for i, sp := range specs {
		dims := make([]*stats.Dimension, len(sp.By))
		for d, name := range sp.By {
			dim, err := stats.LookupDimension(name)
			if err != nil {
				return nil, invalidField("by", "stats.error.dimension", name)
			}
			dims[d] = dim
		}
		tabs[i] = stats.NewTabulator(dims, nil)
	}
	var read int64
	err := o.src.Each(ctx, func(v *stats.Victim) error {
		read++
		for _, f := range req.Filters {
			if !f.Match(v) {
				return nil
			}
		}
		for _, t := range tabs {
			t.Add(v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	docs := make([]*stats.Document, len(specs))
	for i, sp := range specs {
		p, err := stats.Protect(tabs[i].Table(), req.Threshold)
		if errors.Is(err, stats.ErrUnprotectable) {
			return nil, core.Wrap(core.Invalid, "stats.error.unprotectable", err)
		}
		if err != nil {
			return nil, err
		}
		docs[i] = &stats.Document{Title: o.what + " by " + strings.Join(sp.By, ", "), Source: o.describe,
			Read: read, Counted: tabs[i].Records, Table: p}
		for _, f := range req.Filters {
			docs[i].Filters = append(docs[i].Filters, f.String())
		}
		if len(req.Agencies) > 0 {
			docs[i].Filters = append(docs[i].Filters, fmt.Sprintf("agency=%v", req.Agencies))
		}
	}
	return docs, nil
}

// ExportFormats are the formats of Export: the table formats, UNODC GLOTIP rows, and the CTDC
// v2024 layout (records of a dataset, already anonymised open data; never case data).
var ExportFormats = append(slices.Clone(stats.Formats), "glotip", "ctdc")

// ContentType is the media type of an export format.
func ContentType(format string) string {
	switch format {
	case "csv", "glotip", "ctdc":
		return "text/csv; charset=utf-8"
	case "json":
		return "application/json; charset=utf-8"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "pdf":
		return "application/pdf"
	}
	return "application/octet-stream"
}

// FileExtension is the file name extension of an export format.
func FileExtension(format string) string {
	switch format {
	case "glotip":
		return "glotip.csv"
	case "ctdc":
		return "ctdc.csv"
	}
	return format
}

// auditExport records an export with the names of its parameters, never their values.
func (s *Service) auditExport(ctx context.Context, actor core.Actor, o opened, params []string) error {
	objectType, objectID := "stats_source", caseSourceName(o)
	if o.dataset != 0 {
		objectType, objectID = "stats_dataset", strconv.FormatInt(o.dataset, 10)
	}
	return s.store.Write(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: "stats.export", ObjectType: objectType,
			ObjectID: objectID, ObjectAgencyID: o.owner, Fields: params})
	})
}

// Export writes one protected table (by req.By, or by the spec's dimensions) in format, and
// records the export in the audit chain before a byte is written. GLOTIP needs year and at
// most sex, age group and one of exploitation or citizenship; CTDC writes the filtered
// records of a dataset.
func (s *Service) Export(ctx context.Context, actor core.Actor, req Request, format string, w io.Writer) error {
	if !slices.Contains(ExportFormats, format) {
		return invalidField("format", "stats.error.format", strings.Join(ExportFormats, ", "))
	}
	o, err := s.open(ctx, actor, req)
	if err != nil {
		return err
	}
	params := slices.Clone(req.Params)
	if !slices.Contains(params, "format") {
		params = append(params, "format")
		slices.Sort(params)
	}
	if format == "ctdc" {
		if o.dataset == 0 {
			return invalidField("format", "stats.error.ctdc_case_data")
		}
		if err := s.auditExport(ctx, actor, o, params); err != nil {
			return err
		}
		cw, err := ctdc.NewWriter(w, ctdc.WriterOptions{})
		if err != nil {
			return err
		}
		err = o.src.Each(ctx, func(v *stats.Victim) error {
			for _, f := range req.Filters {
				if !f.Match(v) {
					return nil
				}
			}
			return cw.Write(v)
		})
		if err != nil {
			return err
		}
		return cw.Flush()
	}
	if len(req.By) == 0 {
		return invalidField("by", "stats.error.by_required")
	}
	docs, err := s.tabulate(ctx, o, req, []Spec{{ID: "table", By: req.By}})
	if err != nil {
		return err
	}
	doc := docs[0]
	var rows []unodc.Row
	if format == "glotip" {
		if rows, err = unodc.FromTable(doc.Table, unodc.Paraguay); err != nil {
			return core.Wrap(core.Invalid, "stats.error.glotip", err)
		}
	}
	if err := s.auditExport(ctx, actor, o, params); err != nil {
		return err
	}
	if format == "glotip" {
		gw, err := unodc.NewWriter(w, false)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := gw.Write(&rows[i]); err != nil {
				return err
			}
		}
		return gw.Flush()
	}
	return stats.Write(w, format, doc)
}

// caseSourceName is the audited name of a case-database source: db, or db:presumed.
func caseSourceName(o opened) string {
	if sc, ok := o.src.(stats.CaseSource); ok && sc.Scope.Presumed {
		return SourceDBPresumed
	}
	return SourceDB
}
