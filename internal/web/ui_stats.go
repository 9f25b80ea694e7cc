package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
	"nanduti/internal/stats"
	"nanduti/internal/stats/analysis"
)

// maxDatasetUpload bounds an uploaded CTDC file: the largest published release (the 2017-2021
// global dataset) is under 100 MB.
const maxDatasetUpload = 256 << 20

// routesStats registers the statistics pages and API when the service is configured.
func (s *Server) routesStats() {
	if s.cfg.Stats == nil {
		return
	}
	s.handle("GET /stats", SignedIn, s.statsDashboard)
	s.handle("GET /stats/download", SignedIn, s.statsDownload)
	s.handle("GET /stats/report", SignedIn, s.statsReport)
	s.handle("GET /stats/datasets", SignedIn, s.statsDatasets)
	s.handle("POST /stats/datasets", SignedIn, s.statsUpload)
	s.handle("GET /api/v1/stats/tables", APIToken, s.apiStatsTable)
	s.handle("GET /api/v1/stats/datasets", APIToken, s.apiStatsDatasets)
}

// statsOption is one choice of a select.
type statsOption struct {
	Value, Label string
	Selected     bool
}

// statsTableView is one table of the dashboard: its chart, the rows beneath and the links to
// download it.
type statsTableView struct {
	ID        string
	Title     string
	Chart     template.HTML
	Axes      []string
	Rows      []statsRowView
	Total     string
	Meta      string
	Downloads []statsOption
}

type statsRowView struct {
	Label   string
	Value   string
	Heading bool
	Indent  bool
	Note    string
}

// statsDimensions are the dimensions analysts compose tables with on the dashboard.
var statsDimensions = []string{"year", "exploitation", "sex", "age_group", "age_band", "citizenship",
	"exploitation_country", "department", "traffick_months"}

// departments are Paraguay's INE department codes, 00 (Asunción) to 17.
var departments = func() []string {
	var out []string
	for i := 0; i <= 17; i++ {
		out = append(out, fmt.Sprintf("%02d", i))
	}
	return out
}()

func (s *Server) statsSources(r *http.Request, selected string) ([]statsOption, []analysis.Dataset, error) {
	list, err := s.cfg.Stats.Datasets(r.Context(), actorOf(r))
	if err != nil {
		return nil, nil, err
	}
	lang := state(r.Context()).lang
	var opts []statsOption
	if s.cfg.Stats.HasCaseData() {
		opts = append(opts, statsOption{Value: analysis.SourceDB, Label: i18n.T(lang, "stats.source.db")},
			statsOption{Value: analysis.SourceDBPresumed, Label: i18n.T(lang, "stats.source.db_presumed")})
	}
	for _, d := range list {
		opts = append(opts, statsOption{Value: analysis.DatasetSource(d.ID), Label: i18n.T(lang, "stats.source.dataset", d.Name, d.Rows)})
	}
	for i := range opts {
		opts[i].Selected = opts[i].Value == selected
	}
	return opts, list, nil
}

func (s *Server) statsDashboard(w http.ResponseWriter, r *http.Request) {
	actor, lang := actorOf(r), state(r.Context()).lang
	q := r.URL.Query()
	if !access.CanUseStats(actor) {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	req, perr := statsQuery(q)
	if req.Source == "" {
		// The first source on offer: the case database when there is one, else a dataset.
		if opts, _, err := s.statsSources(r, ""); err == nil && len(opts) > 0 {
			req.Source = opts[0].Value
			q.Set("source", req.Source)
		}
	}
	sources, _, err := s.statsSources(r, req.Source)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	label := analysis.Labeler(lang)
	dimOpts := func(param string) []statsOption {
		chosen := ""
		if by := req.By; param == "by" && len(by) > 0 {
			chosen = by[0]
		} else if param == "by2" && len(by) > 1 {
			chosen = by[1]
		}
		out := []statsOption{{Value: "", Label: i18n.T(lang, "stats.none")}}
		for _, d := range statsDimensions {
			out = append(out, statsOption{Value: d, Label: i18n.T(lang, "stats.dim."+d), Selected: d == chosen})
		}
		return out
	}
	catOpts := func(param, dim string, codes []string) []statsOption {
		out := []statsOption{{Value: "", Label: i18n.T(lang, "stats.all")}}
		for _, c := range codes {
			out = append(out, statsOption{Value: c, Label: label(stats.Axis{Key: dim}, stats.Category{Code: c, Label: c}),
				Selected: q.Get(param) == c})
		}
		return out
	}
	data := map[string]any{
		"Sources":      sources,
		"By":           dimOpts("by"),
		"By2":          dimOpts("by2"),
		"Sex":          catOpts("sex", "sex", []string{stats.SexFemale, stats.SexMale, stats.SexTransgenderNonConforming, stats.Unknown}),
		"AgeGroup":     catOpts("age_group", "age_group", []string{stats.AgeMinor, stats.AgeAdult, stats.Unknown}),
		"Exploitation": catOpts("exploitation", "exploitation", []string{stats.ExploitSexual, stats.ExploitLabour, stats.ExploitSexualAndLabor, stats.ExploitOther, stats.Unknown}),
		"Department":   catOpts("department", "department", departments),
		"Threshold":    req.Threshold,
		"CanImport":    access.CanImportDataset(actor),
	}
	if s.cfg.Stats.HasCaseData() && analysis.IsCaseSource(req.Source) {
		agencies, err := s.cfg.Accounts.ListAgencies(r.Context(), actor)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var opts []statsOption
		for _, a := range agencies {
			opts = append(opts, statsOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Name, Selected: slices.Contains(q["agency"], strconv.FormatInt(a.ID, 10))})
		}
		data["Agencies"] = opts
	}
	p := s.newPage(r, data)
	p.Form = q
	status := http.StatusOK
	if perr != nil {
		s.statsErrors(&p, perr)
		status = statusOf[core.ErrorCode(perr)]
	} else if req.Source != "" {
		specs := slices.Clone(analysis.StandardSpecs)
		if len(req.By) > 0 {
			specs = append([]analysis.Spec{{ID: "custom", By: req.By}}, specs...)
		}
		docs, err := s.cfg.Stats.Tables(r.Context(), actor, req, specs)
		if err != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.Invalid {
				s.fail(w, r, err)
				return
			}
			s.statsErrors(&p, err)
			status = http.StatusBadRequest
		} else {
			var views []statsTableView
			for i, d := range docs {
				views = append(views, s.statsTableView(lang, q, specs[i], d, req.Source))
			}
			data["Tables"] = views
			data["Counted"] = docs[0].Counted
			data["Read"] = docs[0].Read
			data["Source"] = docs[0].Source
			data["ReportYears"] = reportYears(docs[len(docs)-3])
		}
	}
	s.renderPage(w, r, status, "stats", p)
}

// statsErrors puts a service error's fields on the page, or its message when it has none.
func (s *Server) statsErrors(p *page, err error) {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return
	}
	if len(ce.Fields) == 0 {
		p.Errors = append(p.Errors, fieldMessage{Field: "source", Message: i18n.T(p.Lang, ce.Key, ce.Args...)})
	}
	for _, f := range ce.Fields {
		p.Errors = append(p.Errors, fieldMessage{Field: f.Field, Message: i18n.T(p.Lang, f.Key, f.Args...)})
	}
}

// reportYears lists the years of the table by year, newest first, for the report's choice.
func reportYears(d *stats.Document) []string {
	var out []string
	for _, c := range d.Table.Table.Axes[0].Categories {
		if c.Code != stats.Unknown {
			out = append([]string{c.Code}, out...)
		}
	}
	return out
}

func (s *Server) statsTableView(lang string, q url.Values, spec analysis.Spec, d *stats.Document, source string) statsTableView {
	label := analysis.Labeler(lang)
	var dims []string
	for _, b := range spec.By {
		dims = append(dims, i18n.T(lang, "stats.dim."+b))
	}
	title := i18n.T(lang, "stats.table."+spec.ID)
	if spec.ID == "custom" {
		title = i18n.T(lang, "stats.table.custom", strings.Join(dims, " × "))
	}
	p := d.Table
	v := statsTableView{ID: spec.ID, Title: title, Axes: dims, Total: p.Text(p.Table.Len() - 1),
		Chart: template.HTML(stats.BarChartSVG(p, stats.ChartOptions{Title: title, Label: label}))}
	for _, row := range stats.ChartRows(p, label) {
		rv := statsRowView{Label: row.Label, Value: p.Text(row.Cell), Heading: row.Heading, Indent: row.Indent}
		switch p.Status(row.Cell) {
		case stats.Primary:
			rv.Note = i18n.T(lang, "stats.note.primary", p.Threshold)
		case stats.Secondary:
			rv.Note = i18n.T(lang, "stats.note.secondary")
		}
		v.Rows = append(v.Rows, rv)
	}
	md := p.Metadata()
	v.Meta = i18n.T(lang, "stats.table_meta", d.Counted, md.Threshold, md.PrimarySuppressed, md.SecondarySuppressed)
	link := url.Values{}
	for k, vals := range q {
		if k != "by" && k != "by2" && k != "format" {
			link[k] = vals
		}
	}
	link.Set("by", strings.Join(spec.By, ","))
	formats := slices.Clone(stats.Formats)
	if glotipShape(spec.By) {
		formats = append(formats, "glotip")
	}
	for _, f := range formats {
		link.Set("format", f)
		v.Downloads = append(v.Downloads, statsOption{Value: "/stats/download?" + link.Encode(), Label: i18n.T(lang, "stats.download."+f)})
	}
	if spec.ID == "year" && strings.HasPrefix(source, "dataset:") {
		link.Set("format", "ctdc")
		v.Downloads = append(v.Downloads, statsOption{Value: "/stats/download?" + link.Encode(), Label: i18n.T(lang, "stats.download.ctdc")})
	}
	return v
}

// glotipShape reports whether a table by these dimensions can be written as GLOTIP rows.
func glotipShape(by []string) bool {
	if !slices.Contains(by, "year") || (slices.Contains(by, "exploitation") && slices.Contains(by, "citizenship")) {
		return false
	}
	for _, b := range by {
		if !slices.Contains([]string{"year", "sex", "age_group", "exploitation", "citizenship"}, b) {
			return false
		}
	}
	return true
}

// statsQuery reads the dashboard's parameters into a request; by2 is the second dimension of
// the dashboard's form.
func statsQuery(q url.Values) (analysis.Request, error) {
	if b2 := strings.TrimSpace(q.Get("by2")); b2 != "" {
		q = maps(q)
		q["by"] = append(q["by"], b2)
		delete(q, "by2")
	}
	return analysis.ParseRequest(q)
}

func maps(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// writeDownload buffers an export so that a failure becomes an error page rather than half
// a file, then sends it as an attachment.
func (s *Server) writeDownload(w http.ResponseWriter, r *http.Request, name, contentType string, produce func(io.Writer) error) {
	var buf bytes.Buffer
	if err := produce(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (s *Server) statsDownload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, err := statsQuery(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	format := q.Get("format")
	name := "nanduti-" + strings.Join(append([]string{"victims"}, req.By...), "-") + "." + analysis.FileExtension(format)
	s.writeDownload(w, r, name, analysis.ContentType(format), func(out io.Writer) error {
		return s.cfg.Stats.Export(r.Context(), actorOf(r), req, format, out)
	})
}

func (s *Server) statsReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, err := statsQuery(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil {
		s.fail(w, r, &core.Error{Code: core.Invalid, Key: "stats.error.year"})
		return
	}
	rr := analysis.ReportRequest{Request: req, Year: year, Lang: state(r.Context()).lang}
	s.writeDownload(w, r, fmt.Sprintf("nanduti-report-%d.pdf", year), "application/pdf", func(out io.Writer) error {
		return s.cfg.Stats.Report(r.Context(), actorOf(r), rr, out)
	})
}

func (s *Server) statsDatasetsData(r *http.Request) (map[string]any, error) {
	_, list, err := s.statsSources(r, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"Datasets": list, "CanImport": access.CanImportDataset(actorOf(r)), "MaxMB": maxDatasetUpload >> 20}, nil
}

func (s *Server) statsDatasets(w http.ResponseWriter, r *http.Request) {
	data, err := s.statsDatasetsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "stats_datasets", data)
}

// limitedReader fails once more than n bytes were read and remembers that it did, because
// the CSV reader turns the failure into a message about the file.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded = true
		return 0, errors.New("the file is too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// statsUpload imports an uploaded CTDC file. The form sends the name before the file, so the
// file is streamed into the database as it arrives, never held whole in memory or on disk.
func (s *Server) statsUpload(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if !access.CanImportDataset(actor) {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxDatasetUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, core.Wrap(core.Invalid, "error.bad_form", err))
		return
	}
	var name string
	var v core.Validation
	imported := false
	var d analysis.Dataset
	var importErr error
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.fail(w, r, core.Wrap(core.Invalid, "error.bad_form", err))
			return
		}
		switch part.FormName() {
		case "name":
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			name = string(b)
		case "file":
			if part.FileName() == "" {
				break
			}
			imported = true
			lr := &limitedReader{r: part, n: maxDatasetUpload}
			d, importErr = s.cfg.Stats.ImportCTDC(r.Context(), actor, name, part.FileName(), lr, nil)
			if lr.exceeded {
				importErr = &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "file", Key: "stats.error.file_too_large", Args: []any{maxDatasetUpload >> 20}}}}
			}
		}
		part.Close()
	}
	if !imported {
		v.Add("file", "stats.error.file_required")
		if strings.TrimSpace(name) == "" {
			v.Add("name", "stats.error.dataset_name", analysis.MaxNameLength)
		}
		importErr = v.Err()
	}
	if importErr != nil {
		s.statsUploadError(w, r, name, importErr)
		return
	}
	http.Redirect(w, r, "/stats?source="+url.QueryEscape(analysis.DatasetSource(d.ID)), http.StatusSeeOther)
}

func (s *Server) statsUploadError(w http.ResponseWriter, r *http.Request, name string, err error) {
	var ce *core.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 {
		s.fail(w, r, err)
		return
	}
	data, derr := s.statsDatasetsData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	p := s.newPage(r, data)
	p.Form = url.Values{"name": {name}}
	s.statsErrors(&p, err)
	s.renderPage(w, r, statusOf[ce.Code], "stats_datasets", p)
}
