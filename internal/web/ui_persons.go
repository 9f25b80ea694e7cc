package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
	"nanduti/internal/persons"
)

// routesPersons registers the person pages and API when the service is configured.
func (s *Server) routesPersons() {
	if s.cfg.Persons == nil {
		return
	}
	s.handle("GET /persons", SignedIn, s.personList)
	s.handle("GET /persons/new", SignedIn, s.personNewForm)
	s.handle("POST /persons", SignedIn, s.createPerson)
	s.handle("POST /persons/search", SignedIn, s.searchPersons)
	s.handle("GET /persons/{id}", SignedIn, s.personPage)
	s.handle("GET /persons/{id}/edit", SignedIn, s.personEditForm)
	s.handle("POST /persons/{id}/edit", SignedIn, s.updatePerson)
	s.handle("GET /persons/{id}/photo", SignedIn, s.personPhoto)
	s.handle("GET /api/v1/persons", APIToken, s.apiPersons)
	s.handle("POST /api/v1/persons", APIToken, s.apiCreatePerson)
	s.handle("GET /api/v1/persons/{id}", APIToken, s.apiPerson)
	s.handle("PUT /api/v1/persons/{id}", APIToken, s.apiUpdatePerson)
	s.handle("POST /api/v1/persons/search", APIToken, s.apiSearchPersons)
}

func init() {
	// seesPersons decides the navigation entry and the home card.
	funcs["seesPersons"] = func(a core.Actor) bool { return a.UserID != 0 && access.CanListPersons(a) }
}

// maxPersonFormBytes bounds a person form: the largest photo and the text around it.
const maxPersonFormBytes = persons.MaxPhotoBytes + 1<<20

// parsePersonForm reads a person form, a multipart one with a photo or a plain one.
func (s *Server) parsePersonForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPersonFormBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// Up to the limit in memory: nothing of a person form is ever written to a temporary
		// file on disk.
		if err := r.ParseMultipartForm(maxPersonFormBytes); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form", Err: err,
					Fields: []core.FieldError{{Field: "photo", Key: "person.photo_too_large", Args: []any{persons.MaxPhotoBytes >> 20}}}}
			}
			return core.Wrap(core.Invalid, "error.bad_form", err)
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return core.Wrap(core.Invalid, "error.bad_form", err)
	}
	return nil
}

// personLines splits a text area into its non-empty lines.
func personLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// personFormInput turns a submitted form into the service's input. Numbers that are not
// numbers are reported here; everything else is the service's to check.
func personFormInput(r *http.Request) (persons.Input, error) {
	f := r.PostForm
	var v core.Validation
	in := persons.Input{Kind: persons.Kind(f.Get("kind"))}
	p := &in.Profile
	p.Gender = f.Get("gender")
	if a := strings.TrimSpace(f.Get("age_at_identification")); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil {
			v.Add("age_at_identification", "person.age_invalid", 120)
		}
		p.AgeAtIdentification = &n
	}
	if y := strings.TrimSpace(f.Get("birth_year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			v.Add("birth_year", "person.birth_year_invalid", 2100)
		}
		p.BirthYear = n
	}
	for _, c := range strings.FieldsFunc(f.Get("citizenship"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		p.Citizenship = append(p.Citizenship, c)
	}
	p.PrimaryLanguage = f.Get("primary_language")
	p.Department = f.Get("department")
	p.District = strings.TrimSpace(f.Get("district"))
	p.Vulnerabilities = f["vulnerabilities"]
	id := &in.Identity
	id.GivenNames, id.PaternalSurname, id.MaternalSurname = f.Get("given_names"), f.Get("paternal_surname"), f.Get("maternal_surname")
	id.OtherNames = personLines(f.Get("other_names"))
	id.BirthDate = f.Get("birth_date")
	id.Document = persons.Document{Type: f.Get("document_type"), Number: f.Get("document_number"), Country: f.Get("document_country")}
	for _, l := range personLines(f.Get("nationality_documents")) {
		country, number, _ := strings.Cut(l, " ")
		in.Identity.NationalityDocuments = append(in.Identity.NationalityDocuments,
			persons.Document{Type: "other", Country: country, Number: strings.TrimSpace(number)})
	}
	id.Phones = personLines(f.Get("phones"))
	id.Addresses = personLines(f.Get("addresses"))
	if r.MultipartForm != nil {
		if files := r.MultipartForm.File["photo"]; len(files) > 0 && files[0].Size > 0 {
			fh := files[0]
			if fh.Size > persons.MaxPhotoBytes {
				v.Add("photo", "person.photo_too_large", persons.MaxPhotoBytes>>20)
			} else if file, err := fh.Open(); err == nil {
				in.Photo, err = io.ReadAll(file)
				file.Close()
				if err != nil {
					return in, core.Wrap(core.Invalid, "error.bad_form", err)
				}
			}
		}
	}
	in.RemovePhoto = f.Get("remove_photo") == "yes"
	if ver := f.Get("version"); ver != "" {
		in.Version, _ = strconv.Atoi(ver)
	}
	return in, v.Err()
}

// personFormValues fills a form with a person, for editing.
func personFormValues(p persons.Person) url.Values {
	f := url.Values{}
	f.Set("kind", string(p.Kind))
	f.Set("gender", p.Profile.Gender)
	if p.Profile.AgeAtIdentification != nil {
		f.Set("age_at_identification", strconv.Itoa(*p.Profile.AgeAtIdentification))
	}
	if p.Profile.BirthYear != 0 {
		f.Set("birth_year", strconv.Itoa(p.Profile.BirthYear))
	}
	f.Set("citizenship", strings.Join(p.Profile.Citizenship, ", "))
	f.Set("primary_language", p.Profile.PrimaryLanguage)
	f.Set("department", p.Profile.Department)
	f.Set("district", p.Profile.District)
	f["vulnerabilities"] = p.Profile.Vulnerabilities
	f.Set("version", strconv.Itoa(p.Version))
	if id := p.Identity; id != nil {
		f.Set("given_names", id.GivenNames)
		f.Set("paternal_surname", id.PaternalSurname)
		f.Set("maternal_surname", id.MaternalSurname)
		f.Set("other_names", strings.Join(id.OtherNames, "\n"))
		f.Set("birth_date", id.BirthDate)
		f.Set("document_type", id.Document.Type)
		f.Set("document_number", id.Document.Number)
		f.Set("document_country", id.Document.Country)
		var docs []string
		for _, d := range id.NationalityDocuments {
			docs = append(docs, strings.TrimSpace(d.Country+" "+d.Number))
		}
		f.Set("nationality_documents", strings.Join(docs, "\n"))
		f.Set("phones", strings.Join(id.Phones, "\n"))
		f.Set("addresses", strings.Join(id.Addresses, "\n"))
	}
	return f
}

// personOption is a choice of a select whose label may not be in the catalogue.
type personOption struct {
	Value string
	Label string
}

// languageOptions are the languages a form offers, with extra (a code entered through the
// API) added so that editing keeps it.
func languageOptions(lang, extra string) []personOption {
	codes := persons.Languages
	if extra != "" && !personHas(codes, extra) {
		codes = append(append([]string(nil), codes...), extra)
	}
	out := make([]personOption, len(codes))
	for i, c := range codes {
		out[i] = personOption{c, languageLabel(lang, c)}
	}
	return out
}

// languageLabel names a language code in the page's language, or shows the code.
func languageLabel(lang, code string) string {
	if i18n.Has(lang, "persons.lang."+code) {
		return i18n.T(lang, "persons.lang."+code)
	}
	return code
}

// personChoices are the lists a person form offers.
func personChoices(r *http.Request, extraLanguage string) map[string]any {
	return map[string]any{"Kinds": persons.Kinds, "Genders": persons.Genders, "Vulnerabilities": persons.Vulnerabilities,
		"DocumentTypes": persons.DocumentTypes, "Languages": languageOptions(state(r.Context()).lang, extraLanguage),
		"Departments": persons.Departments, "MaxPhotoMiB": persons.MaxPhotoBytes >> 20}
}

func personHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// personFail answers a failed person request. A person whose sealed data does not open (altered
// or moved in the database) gets its own message, so that staff report it instead of retrying;
// the cause is logged with the row and column, never a value.
func (s *Server) personFail(w http.ResponseWriter, r *http.Request, err error) {
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Key != persons.ErrTamperedKey {
		s.fail(w, r, err)
		return
	}
	st := state(r.Context())
	s.log.Error("sealed data does not open", "request_id", st.id, "route", r.Pattern, "actor_id", st.actor.UserID,
		"agency_id", st.actor.AgencyID, "err", err)
	msg := i18n.T(st.lang, ce.Key)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: apiErrorBody{Code: core.Internal, Message: msg}})
		return
	}
	s.render(w, r, http.StatusInternalServerError, "error", map[string]any{"Status": http.StatusInternalServerError, "Message": msg})
}

func (s *Server) personList(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const pageSize = 50
	list, err := s.cfg.Persons.List(r.Context(), actor, before, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var next int64
	if len(list) == pageSize {
		next = list[len(list)-1].ID
	}
	s.render(w, r, http.StatusOK, "persons_list", map[string]any{"Persons": list, "Next": next, "Before": before,
		"CanCreate": access.CanCreatePerson(actor), "SearchKinds": persons.SearchKinds})
}

func (s *Server) personNewForm(w http.ResponseWriter, r *http.Request) {
	if !access.CanCreatePerson(actorOf(r)) {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	p := s.newPage(r, personChoices(r, ""))
	p.Form = url.Values{"kind": {string(persons.KindVictim)}, "gender": {"NonSpecifiedUnknown"}, "document_type": {"ci"}}
	s.renderPage(w, r, http.StatusOK, "persons_form", p)
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) {
	if err := s.parsePersonForm(w, r); err != nil {
		s.formError(w, r, "persons_form", personChoices(r, ""), err)
		return
	}
	in, err := personFormInput(r)
	if err == nil {
		var p persons.Person
		if p, err = s.cfg.Persons.Create(r.Context(), actorOf(r), in); err == nil {
			http.Redirect(w, r, "/persons/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
			return
		}
	}
	s.formError(w, r, "persons_form", personChoices(r, r.PostForm.Get("primary_language")), err)
}

// personViewer describes who is looking, for the notice on pages that show an identity.
func (s *Server) personViewer(r *http.Request) (map[string]any, error) {
	actor := actorOf(r)
	agency, err := s.cfg.Accounts.Agency(r.Context(), actor, actor.AgencyID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Agency": agency, "At": s.cfg.Accounts.Now()}, nil
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	p, err := s.cfg.Persons.Get(r.Context(), actor, id)
	if err != nil {
		s.personFail(w, r, err)
		return
	}
	viewer, err := s.personViewer(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var dep persons.Department
	if p.Profile.Department != "" {
		dep, _ = persons.DepartmentByCode(p.Profile.Department)
	}
	merges, err := s.mergeNotes(r, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "persons_view", map[string]any{"P": p, "Viewer": viewer, "Department": dep, "Merges": merges,
		"Language":   languageLabel(state(r.Context()).lang, p.Profile.PrimaryLanguage),
		"Identified": p.Identity != nil, "CanEdit": access.CanEditPerson(actor, p.AgencyID)})
}

func (s *Server) personEditForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	p, err := s.cfg.Persons.Get(r.Context(), actor, id)
	if err != nil {
		s.personFail(w, r, err)
		return
	}
	if !access.CanEditPerson(actor, p.AgencyID) || p.Identity == nil {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	data, err := s.personEditData(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := s.newPage(r, data)
	page.Form = personFormValues(p)
	s.renderPage(w, r, http.StatusOK, "persons_form", page)
}

// personEditData is what the edit form shows besides the fields: the person and the viewer notice.
func (s *Server) personEditData(r *http.Request, p persons.Person) (map[string]any, error) {
	viewer, err := s.personViewer(r)
	if err != nil {
		return nil, err
	}
	data := personChoices(r, p.Profile.PrimaryLanguage)
	data["P"], data["Viewer"] = p, viewer
	return data, nil
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.parsePersonForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := personFormInput(r)
	if err == nil {
		if _, err = s.cfg.Persons.Update(r.Context(), actorOf(r), id, in); err == nil {
			http.Redirect(w, r, "/persons/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
			return
		}
	}
	var ce *core.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 {
		s.personFail(w, r, err)
		return
	}
	// The form comes back with what was typed; the page shows the pseudonym only, so
	// nothing further is read from the sealed record.
	data := personChoices(r, r.PostForm.Get("primary_language"))
	data["P"] = persons.Person{ID: id, Pseudonym: r.PostForm.Get("pseudonym")}
	s.formError(w, r, "persons_form", data, err)
}

func (s *Server) personPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, contentType, err := s.cfg.Persons.Photo(r.Context(), actorOf(r), id)
	if err != nil {
		s.personFail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", "inline")
	w.Write(b)
}

func (s *Server) searchPersons(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	q := persons.Query{By: r.PostFormValue("by"), Text: r.PostFormValue("q")}
	data := map[string]any{"SearchKinds": persons.SearchKinds, "Searched": true}
	results, err := s.cfg.Persons.Search(r.Context(), actorOf(r), q)
	if err != nil {
		s.formError(w, r, "persons_list", data, err)
		return
	}
	viewer, err := s.personViewer(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	named := false
	for _, res := range results {
		named = named || res.Identity != nil
	}
	data["Results"], data["Named"], data["Viewer"] = results, named, viewer
	p := s.newPage(r, data)
	p.Form = r.PostForm
	s.renderPage(w, r, http.StatusOK, "persons_list", p)
}
