package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
)

type pageTemplate struct{ t *template.Template }

var funcs = template.FuncMap{
	"join": strings.Join,
	// dict builds the argument map of a sub-template such as "input".
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"has": func(roles []core.Role, r string) bool {
		for _, x := range roles {
			if string(x) == r {
				return true
			}
		}
		return false
	},
}

// parseTemplates parses each page together with the layout.
func parseTemplates(fsys fs.FS) (map[string]*pageTemplate, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = &pageTemplate{t: t}
	}
	return pages, nil
}

// page is what every template receives.
type page struct {
	Lang      string
	Languages []string
	Demo      bool
	Path      string
	User      *core.User
	Actor     core.Actor
	SigningIn bool
	Data      map[string]any
	Errors    []fieldMessage
	Form      url.Values
}

type fieldMessage struct {
	Field   string
	Message string
}

// T translates a catalogue key into the page's language.
func (p page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// LangName names a language in itself.
func (p page) LangName(l string) string { return i18n.Name(l) }

// Role is a role's label.
func (p page) Role(r core.Role) string { return i18n.T(p.Lang, "role."+string(r)) }

// FieldError returns the message for one field, for showing it beside the input.
func (p page) FieldError(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Value returns a submitted form value, to refill the form after an error.
func (p page) Value(field string) string { return p.Form.Get(field) }

// Checked reports whether value was submitted for a multi-valued field.
func (p page) Checked(field, value string) bool {
	for _, v := range p.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

func (s *Server) newPage(r *http.Request, data map[string]any) page {
	st := state(r.Context())
	p := page{Lang: st.lang, Languages: i18n.Languages, Demo: s.cfg.Demo, Path: r.URL.Path, Data: data, Actor: st.actor}
	if st.session != nil {
		u := st.session.User
		p.User = &u
		p.SigningIn = st.session.Session.Stage != accounts.StageFull
	}
	return p
}

// render writes a page. Pages are rendered into a buffer first so that a template error
// becomes a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	s.renderPage(w, r, status, name, s.newPage(r, data))
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	pt, ok := s.pages[name]
	if !ok {
		s.log.Error("missing template", "request_id", requestID(r.Context()), "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := pt.t.Execute(&buf, p); err != nil {
		s.log.Error("template failed", "request_id", requestID(r.Context()), "template", name, "err", err)
		if name != "error" {
			s.render(w, r, http.StatusInternalServerError, "error", map[string]any{"Status": 500, "Message": i18n.T(p.Lang, "error.internal")})
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// formError re-renders a form with its errors when err carries field errors, and answers
// with the error page otherwise.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name string, data map[string]any, err error) {
	ce, ok := err.(*core.Error)
	if !ok || len(ce.Fields) == 0 {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, data)
	p.Form = r.PostForm
	for _, f := range ce.Fields {
		p.Errors = append(p.Errors, fieldMessage{Field: f.Field, Message: i18n.T(p.Lang, f.Key, f.Args...)})
	}
	s.renderPage(w, r, statusOf[ce.Code], name, p)
}

// formErrorKey re-renders a form with one error that belongs to no single field, such as a
// failed sign-in.
func (s *Server) formErrorKey(w http.ResponseWriter, r *http.Request, name string, status int, field, key string) {
	p := s.newPage(r, nil)
	p.Form = r.PostForm
	p.Errors = []fieldMessage{{Field: field, Message: i18n.T(p.Lang, key)}}
	s.renderPage(w, r, status, name, p)
}
