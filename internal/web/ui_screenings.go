package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/screening"
	"nanduti/internal/screenings"
)

// routesScreenings registers the screening pages and API when the service is configured.
func (s *Server) routesScreenings() {
	if s.cfg.Screenings == nil {
		return
	}
	s.handle("GET /screenings", SignedIn, s.screeningList)
	s.handle("GET /screenings/new", SignedIn, s.screeningForm)
	s.handle("POST /screenings", SignedIn, s.createScreening)
	s.handle("GET /screenings/{id}", SignedIn, s.screeningPage)
	s.handle("POST /screenings/{id}/person", SignedIn, s.linkScreeningPerson)
	s.handle("POST /api/v1/screenings", APIToken, s.apiCreateScreening)
	s.handle("GET /api/v1/screenings", APIToken, s.apiScreenings)
	s.handle("GET /api/v1/screenings/{id}", APIToken, s.apiScreening)
	s.handle("PUT /api/v1/screenings/{id}/person", APIToken, s.apiLinkScreeningPerson)
}

// screeningLang is the request's language as the engine knows it; languages the rulebooks do
// not speak yet fall back to Spanish.
func screeningLang(r *http.Request) screening.Lang {
	l, err := screening.ParseLang(state(r.Context()).lang)
	if err != nil {
		return screening.Spanish
	}
	return l
}

// choice is one checkbox or radio button of the screening form.
type choice struct {
	ID      string
	Label   string
	Checked bool
}

// choiceGroup is a set of checkboxes shown as one collapsible fieldset. Open keeps a group
// unfolded when something in it is ticked or wrong, so that nothing the officer chose is
// hidden after an error.
type choiceGroup struct {
	Field   string // the form field
	Key     string // unique, for element ids
	Name    string
	Choices []choice
	Ticked  int
	Open    bool
}

func group(field, key, name string, opts []screening.FormOption, form url.Values, errField bool) choiceGroup {
	g := choiceGroup{Field: field, Key: key, Name: name, Open: errField}
	ticked := map[string]bool{}
	for _, v := range form[field] {
		ticked[v] = true
	}
	for _, o := range opts {
		c := choice{ID: o.ID, Label: o.Label, Checked: ticked[o.ID]}
		if c.Checked {
			g.Ticked++
		}
		g.Choices = append(g.Choices, c)
	}
	g.Open = g.Open || g.Ticked > 0
	return g
}

// screeningFormData builds the form from the rulebook, with what was submitted ticked again.
func (s *Server) screeningFormData(r *http.Request, form url.Values, errs map[string]bool) (map[string]any, error) {
	if !access.CanScreen(actorOf(r)) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	f := s.cfg.Screenings.Form(screeningLang(r))
	var dims []choiceGroup
	for _, d := range f.Dimensions {
		dims = append(dims, group("indicators", d.ID, d.Name, d.Indicators, form, false))
	}
	if errs["indicators"] && len(dims) > 0 {
		dims[0].Open = true
	}
	return map[string]any{
		"Caution":    f.Caution,
		"Rulebook":   f.Rulebook,
		"Acts":       group("act", "act", "", f.Acts, form, errs["act"]),
		"Dimensions": dims,
		"Activities": group("activities", "activities", "", f.Activities, form, errs["activities"]),
		"Hazards":    group("hazards", "hazards", "", f.Hazards, form, errs["hazards"]),
		"WorstForms": group("worst_forms", "worst_forms", "", f.WorstForms, form, errs["worst_forms"]),
		"Sexes":      []string{"female", "male", "other", "unknown"},
		"Facts":      []string{"night_work", "lives_in_employer_household", "employer_is_family", "attends_school"},
		"Hours":      []string{"economic_hours_per_week", "household_chores_hours_per_week"},
	}, nil
}

func (s *Server) screeningForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.screeningFormData(r, nil, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "screenings_new", data)
}

// screeningFormField maps the input document's paths to the form's fields: the last element
// of the path without its index (work.activities[2] is the activities group).
func screeningFormField(path string) string {
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	return path
}

// screeningInputFromForm reads the form into an input document. What cannot be read as a
// number is reported here; everything else is checked by the service.
func screeningInputFromForm(form url.Values) (screening.Input, []core.FieldError) {
	var errs []core.FieldError
	in := screening.Input{
		Subject:      screening.Subject{Sex: form.Get("sex")},
		Exploitation: form.Get("exploitation"),
		Act:          form["act"],
		Indicators:   form["indicators"],
		Work: screening.Work{
			Activities: form["activities"],
			Hazards:    form["hazards"],
			WorstForms: form["worst_forms"],
		},
	}
	if raw := strings.TrimSpace(form.Get("age")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			errs = append(errs, core.FieldError{Field: "age", Key: "screening.error.age"})
		} else {
			in.Subject.Age = &n
		}
	}
	for field, dst := range map[string]*float64{"economic_hours_per_week": &in.Work.EconomicHoursPerWeek,
		"household_chores_hours_per_week": &in.Work.HouseholdChoresHoursPerWeek} {
		raw := strings.ReplaceAll(strings.TrimSpace(form.Get(field)), ",", ".")
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, core.FieldError{Field: field, Key: "screening.error.hours_number"})
			continue
		}
		*dst = v
	}
	yes := func(name string) bool { return form.Get(name) == "yes" }
	in.Work.NightWork = yes("night_work")
	in.Work.LivesInEmployerHousehold = yes("lives_in_employer_household")
	in.Work.EmployerIsFamily = yes("employer_is_family")
	in.Work.AttendsSchool = yes("attends_school")
	return in, errs
}

func (s *Server) createScreening(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	if !access.CanScreen(actor) {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	in, fieldErrs := screeningInputFromForm(r.PostForm)
	var err error
	if checkErr := s.cfg.Screenings.Check(&in); checkErr != nil {
		ce, ok := checkErr.(*core.Error)
		if !ok {
			s.fail(w, r, checkErr)
			return
		}
		fieldErrs = append(fieldErrs, ce.Fields...)
	}
	if len(fieldErrs) == 0 {
		var sc screenings.Screening
		sc, err = s.cfg.Screenings.Create(r.Context(), actor, in, screeningLang(r))
		if err == nil {
			http.Redirect(w, r, "/screenings/"+strconv.FormatInt(sc.ID, 10), http.StatusSeeOther)
			return
		}
		ce, ok := err.(*core.Error)
		if !ok || len(ce.Fields) == 0 {
			s.fail(w, r, err)
			return
		}
		fieldErrs = ce.Fields
	}
	// One message per field and problem, each pointing at the form's field, in form order.
	ce := &core.Error{Code: core.Invalid, Key: "error.invalid_form"}
	seen := map[string]bool{}
	errFields := map[string]bool{}
	for _, fe := range fieldErrs {
		// An unreadable age is also reported missing by the service, with the same message.
		fe.Field = screeningFormField(fe.Field)
		if k := fe.Field + " " + fe.Key; !seen[k] {
			seen[k], errFields[fe.Field] = true, true
			ce.Fields = append(ce.Fields, fe)
		}
	}
	data, derr := s.screeningFormData(r, r.PostForm, errFields)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	s.formError(w, r, "screenings_new", data, ce)
}

// screeningView is what the result page shows.
type screeningView struct {
	S      screenings.Screening
	Result *screening.Result
	Mine   bool
}

func (s *Server) screeningPage(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.screeningOfPath(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "screenings_result", s.screeningPageData(r, sc))
}

// screeningOfPath reads the screening the path names, as the actor may see it; on failure it
// has answered the request.
func (s *Server) screeningOfPath(w http.ResponseWriter, r *http.Request) (screenings.Screening, bool) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return screenings.Screening{}, false
	}
	sc, err := s.cfg.Screenings.Get(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return screenings.Screening{}, false
	}
	return sc, true
}

func (s *Server) screeningPageData(r *http.Request, sc screenings.Screening) map[string]any {
	actor := actorOf(r)
	return map[string]any{
		"V":         screeningView{S: sc, Result: s.cfg.Screenings.InLanguage(sc, screeningLang(r)), Mine: sc.OfficerID == actor.UserID},
		"CanScreen": access.CanScreen(actor),
		"CanLink":   access.CanLinkScreening(actor, sc.AgencyID),
	}
}

// linkScreeningPerson links the screening to the person whose number the officer typed, or
// unlinks it when the field is left empty. A person the officer may not see reads as a number
// that names nobody, on the same page, so that nothing typed is lost and nothing leaks.
func (s *Server) linkScreeningPerson(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	sc, ok := s.screeningOfPath(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	var personID int64
	raw := strings.Join(strings.Fields(r.PostForm.Get("person_id")), "")
	if raw != "" {
		n, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || n <= 0 {
			s.formError(w, r, "screenings_result", s.screeningPageData(r, sc), &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "person_id", Key: "screening.error.person_number"}}})
			return
		}
		personID = n
	}
	if err := s.cfg.Screenings.LinkPerson(r.Context(), actor, sc.ID, personID); err != nil {
		s.formError(w, r, "screenings_result", s.screeningPageData(r, sc), err)
		return
	}
	http.Redirect(w, r, "/screenings/"+strconv.FormatInt(sc.ID, 10)+"#person", http.StatusSeeOther)
}

func (s *Server) screeningList(w http.ResponseWriter, r *http.Request) {
	var before int64
	if raw := r.URL.Query().Get("before"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			s.fail(w, r, core.Errorf(core.Invalid, "api.not_a_number"))
			return
		}
		before = n
	}
	actor := actorOf(r)
	l, err := s.cfg.Screenings.List(r.Context(), actor, screenings.Page{Before: before})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "screenings_list", map[string]any{
		"L":          l,
		"Before":     before,
		"CanScreen":  access.CanScreen(actor),
		"Frameworks": []string{"trafficking", "forced_labour", "child_labour"},
	})
}

// Age is the screened person's age in years.
func (v screeningView) Age() int {
	if v.S.Input.Subject.Age == nil {
		return 0
	}
	return *v.S.Input.Subject.Age
}
