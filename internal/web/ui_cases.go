package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
)

func init() {
	// seesCases decides the navigation entry and the home card: case workers, and analysts for
	// the counts.
	funcs["seesCases"] = func(a core.Actor) bool { return access.CanCountCases(a) }
}

// routesCases registers the case pages and API when the service is configured. Every page of
// a case is its own URL (one tab each), so that each works without JavaScript and can be
// bookmarked; filters of the list travel in the query string because they name no one.
func (s *Server) routesCases() {
	if s.cfg.Cases == nil {
		return
	}
	s.handle("GET /cases", SignedIn, s.caseList)
	s.handle("GET /cases/new", SignedIn, s.caseNew)
	s.handle("POST /cases", SignedIn, s.caseCreate)
	s.handle("GET /cases/request", SignedIn, s.caseRequestForm)
	s.handle("POST /cases/request", SignedIn, s.caseRequest)
	s.handle("GET /cases/tasks/overdue", SignedIn, s.caseOverdue)
	s.handle("GET /referrals", SignedIn, s.caseReceived)
	s.handle("GET /referrals/{rid}", SignedIn, s.caseReferral)
	s.handle("POST /referrals/{rid}/status", SignedIn, s.caseReferralStatus)
	s.handle("POST /referrals/{rid}/follow-ups", SignedIn, s.caseReferralFollowUp)
	for _, tab := range caseTabs {
		s.handle("GET "+tab.path("{id}"), SignedIn, s.caseTabHandler(tab.Name))
	}
	s.handle("POST /cases/{id}", SignedIn, s.caseUpdate)
	s.handle("POST /cases/{id}/status", SignedIn, s.caseStatus)
	s.handle("POST /cases/{id}/reopen", SignedIn, s.caseReopen)
	s.handle("POST /cases/{id}/persons", SignedIn, s.casePersonAdd)
	s.handle("POST /cases/{id}/events", SignedIn, s.caseEventAdd)
	s.handle("POST /cases/{id}/tasks", SignedIn, s.caseTaskAdd)
	s.handle("POST /cases/{id}/tasks/{tid}", SignedIn, s.caseTaskUpdate)
	s.handle("POST /cases/{id}/evidence", SignedIn, s.caseEvidenceAdd)
	s.handle("POST /cases/{id}/evidence/{eid}/custody", SignedIn, s.caseCustodyAdd)
	s.handle("POST /cases/{id}/charges", SignedIn, s.caseChargeAdd)
	s.handle("POST /cases/{id}/charges/{cid}/outcome", SignedIn, s.caseOutcome)
	s.handle("POST /cases/{id}/hearings", SignedIn, s.caseHearingAdd)
	s.handle("POST /cases/{id}/shares", SignedIn, s.caseShare)
	s.handle("POST /cases/{id}/shares/{agency}/revoke", SignedIn, s.caseRevoke)
	s.handle("POST /cases/{id}/requests/{rid}", SignedIn, s.caseDecide)
	s.handle("POST /cases/{id}/referrals", SignedIn, s.caseReferralAdd)
	s.handle("POST /cases/{id}/notes", SignedIn, s.caseNoteAdd)
	s.handle("GET /cases/{id}/notes/{nid}", SignedIn, s.caseAttachment)
	s.routesCasesAPI()
}

// caseTab is one tab of a case page.
type caseTab struct {
	Name string
	Key  string // catalogue key of its label
}

func (t caseTab) path(id string) string {
	if t.Name == "overview" {
		return "/cases/" + id
	}
	return "/cases/" + id + "/" + t.Name
}

var caseTabs = []caseTab{
	{"overview", "case.tab.overview"}, {"persons", "case.tab.persons"}, {"events", "case.tab.events"},
	{"tasks", "case.tab.tasks"}, {"evidence", "case.tab.evidence"}, {"prosecution", "case.tab.prosecution"},
	{"referrals", "case.tab.referrals"}, {"notes", "case.tab.notes"}, {"sharing", "case.tab.sharing"},
}

// tabLink is a tab as the page shows it.
type tabLink struct {
	Href    string
	Key     string
	Current bool
}

// renderCases renders a case page with form values and, when err carries field errors, the
// error summary; other errors are answered with the error page.
func (s *Server) renderCases(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any, form url.Values, err error) {
	p := s.newPage(r, data)
	p.Form = form
	if err != nil {
		ce, ok := err.(*core.Error)
		if !ok || len(ce.Fields) == 0 {
			s.fail(w, r, err)
			return
		}
		status = statusOf[ce.Code]
		for _, f := range ce.Fields {
			p.Errors = append(p.Errors, fieldMessage{Field: f.Field, Message: i18n.T(p.Lang, f.Key, f.Args...)})
		}
	}
	s.renderPage(w, r, status, name, p)
}

// agencyMap names the agencies for pages.
func (s *Server) agencyMap(r *http.Request) (map[int64]core.Agency, []core.Agency, error) {
	list, err := s.cfg.Accounts.ListAgencies(r.Context(), actorOf(r))
	m := map[int64]core.Agency{}
	for _, a := range list {
		m[a.ID] = a
	}
	return m, list, err
}

// caseVocab is every list of values the case forms offer.
func caseVocab() map[string]any {
	return map[string]any{
		"Statuses": cases.Statuses, "Exploitations": cases.Exploitations, "Sectors": cases.Sectors, "Sources": cases.Sources,
		"EventKinds": cases.EventKinds, "TaskStatuses": cases.TaskStatuses, "CustodyActions": cases.CustodyActions,
		"Outcomes": cases.Outcomes, "HearingKinds": cases.HearingKinds, "PersonRoles": cases.PersonRoles,
		"PerpetratorRoles": cases.PerpetratorRoles, "VictimStatuses": cases.VictimStatuses, "DecidingOrgs": cases.DecidingOrgs,
		"Services": cases.ReferralServices, "Consents": cases.Consents, "Levels": core.ShareLevels,
	}
}

// ---- list and the pages beside it ----

func filterFrom(q url.Values) (cases.Filter, error) {
	f := cases.Filter{Status: cases.Status(q.Get("status")), Exploitation: q.Get("exploitation"),
		Department: q.Get("department"), From: q.Get("from"), To: q.Get("to")}
	if raw := q.Get("before"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return f, &core.Error{Code: core.Invalid, Key: "error.invalid_form", Fields: []core.FieldError{{Field: "before", Key: "case.error.number"}}}
		}
		f.Before = n
	}
	return f, nil
}

func (s *Server) caseList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := caseVocab()
	data["Mode"] = "list"
	actor := actorOf(r)
	data["CanCreate"] = access.CanCreateCase(actor)
	f, err := filterFrom(q)
	if err == nil {
		var l cases.Listing
		l, err = s.cfg.Cases.List(r.Context(), actor, f)
		data["L"] = l
		if l.Next != 0 {
			next := url.Values{}
			for k, v := range q {
				next[k] = v
			}
			next.Set("before", strconv.FormatInt(l.Next, 10))
			data["NextQuery"] = next.Encode()
		}
		total := 0
		for _, n := range l.Statistical {
			total += n
		}
		data["StatTotal"] = total
	}
	s.renderCases(w, r, http.StatusOK, "cases_list", data, q, err)
}

func (s *Server) caseRequestForm(w http.ResponseWriter, r *http.Request) {
	if !access.CanRequestCaseAccess(actorOf(r)) {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	s.renderCases(w, r, http.StatusOK, "cases_list", map[string]any{"Mode": "request", "Sent": r.URL.Query().Get("sent") == "1"}, nil, nil)
}

func (s *Server) caseRequest(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	err := s.cfg.Cases.RequestAccess(r.Context(), actorOf(r), r.PostFormValue("number"), r.PostFormValue("reason"))
	if err != nil {
		s.renderCases(w, r, 0, "cases_list", map[string]any{"Mode": "request"}, r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/cases/request?sent=1", http.StatusSeeOther)
}

func (s *Server) caseOverdue(w http.ResponseWriter, r *http.Request) {
	tasks, err := s.cfg.Cases.OverdueTasks(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_list", map[string]any{"Mode": "overdue", "Tasks": tasks})
}

func (s *Server) caseReceived(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Cases.Received(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, _, err := s.agencyMap(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_list", map[string]any{"Mode": "received", "Referrals": list, "Agencies": names})
}

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) {
	rid, err := pathID(r, "rid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.cfg.Cases.Referral(r.Context(), actorOf(r), rid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, _, err := s.agencyMap(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := caseVocab()
	data["Mode"], data["R"], data["Agencies"] = "referral", ref, names
	data["Receiver"] = ref.ToAgencyID == actorOf(r).AgencyID
	s.renderCases(w, r, status, "cases_list", data, form, formErr)
}

func (s *Server) caseReferral(w http.ResponseWriter, r *http.Request) {
	s.referralPage(w, r, http.StatusOK, nil, nil)
}

func (s *Server) caseReferralStatus(w http.ResponseWriter, r *http.Request) {
	s.referralPost(w, r, func(rid int64) error {
		_, err := s.cfg.Cases.SetReferralStatus(r.Context(), actorOf(r), rid, caseFormInt(r, "version"), r.PostFormValue("status"))
		return err
	})
}

func (s *Server) caseReferralFollowUp(w http.ResponseWriter, r *http.Request) {
	s.referralPost(w, r, func(rid int64) error {
		_, err := s.cfg.Cases.AddFollowUp(r.Context(), actorOf(r), rid, r.PostFormValue("delivered"), r.PostFormValue("note"))
		return err
	})
}

func (s *Server) referralPost(w http.ResponseWriter, r *http.Request, fn func(int64) error) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := fn(rid); err != nil {
		s.referralPage(w, r, 0, r.PostForm, err)
		return
	}
	// The sender may lose sight of the referral's page (revocation keeps it visible; this is
	// the page both sides share).
	http.Redirect(w, r, "/referrals/"+strconv.FormatInt(rid, 10), http.StatusSeeOther)
}

// ---- the case pages ----

func caseFormInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	return n
}

func caseFormID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

func inputFromForm(form url.Values) cases.Input {
	in := cases.Input{Title: form.Get("title"), Exploitation: form["exploitation"], Sector: form.Get("sector"),
		Department: form.Get("department"), District: form.Get("district"), ReportedOn: form.Get("reported_on"),
		OpenedOn: form.Get("opened_on"), Source: form.Get("source"), Sensitive: form.Get("sensitive") == "yes"}
	for _, v := range form["officers"] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Officers = append(in.Officers, n)
		}
	}
	return in
}

// caseForm is a case's facts as form values, to fill the edit form.
func caseForm(c cases.Case) url.Values {
	v := url.Values{"title": {c.Title}, "exploitation": c.Exploitation, "sector": {c.Sector}, "department": {c.Department},
		"district": {c.District}, "reported_on": {c.ReportedOn}, "opened_on": {c.OpenedOn}, "source": {c.Source},
		"version": {strconv.Itoa(c.Version)}}
	if c.Sensitive {
		v.Set("sensitive", "yes")
	}
	for _, o := range c.Officers {
		v.Add("officers", strconv.FormatInt(o, 10))
	}
	return v
}

func (s *Server) caseNew(w http.ResponseWriter, r *http.Request) {
	s.caseNewPage(w, r, http.StatusOK, url.Values{"reported_on": {s.cfg.Cases.Now().Format("2006-01-02")}}, nil)
}

func (s *Server) caseNewPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) {
	officers, err := s.cfg.Cases.Officers(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := caseVocab()
	data["Tab"], data["Officers"] = "new", officers
	s.renderCases(w, r, status, "cases_case", data, form, formErr)
}

func (s *Server) caseCreate(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.cfg.Cases.Create(r.Context(), actorOf(r), inputFromForm(r.PostForm))
	if err != nil {
		s.caseNewPage(w, r, 0, r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

func (s *Server) caseTabHandler(tab string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.casePage(w, r, tab, http.StatusOK, nil, nil) }
}

// casePage renders one tab of a case: the case's header and tabs, the tab's records and its
// forms, with form values and errors after a failed post.
func (s *Server) casePage(w http.ResponseWriter, r *http.Request, tab string, status int, form url.Values, formErr error) {
	caseID, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), actorOf(r)
	data := caseVocab()
	var c cases.Case
	switch tab {
	case "overview":
		var hist []cases.StatusChange
		c, hist, err = s.cfg.Cases.Get(ctx, actor, caseID)
		data["History"] = hist
		if err == nil && access.CanEditCase(actor, c.AgencyID) {
			data["Officers"], err = s.cfg.Cases.Officers(ctx, actor)
		}
		if form == nil && err == nil {
			form = caseForm(c)
		}
	case "persons":
		c, data["Persons"], err = s.cfg.Cases.Persons(ctx, actor, caseID)
	case "events":
		c, data["Events"], err = s.cfg.Cases.Events(ctx, actor, caseID)
	case "tasks":
		c, data["Tasks"], err = s.cfg.Cases.Tasks(ctx, actor, caseID)
	case "evidence":
		c, data["Evidence"], err = s.cfg.Cases.Evidence(ctx, actor, caseID)
	case "prosecution":
		var pr cases.Prosecution
		c, pr, err = s.cfg.Cases.Prosecution(ctx, actor, caseID)
		data["P"] = pr
		if err == nil {
			data["Roster"], err = s.cfg.Cases.Roster(ctx, actor, caseID)
		}
	case "referrals":
		c, data["Referrals"], err = s.cfg.Cases.Referrals(ctx, actor, caseID)
		if err == nil {
			data["Roster"], err = s.cfg.Cases.Roster(ctx, actor, caseID)
		}
	case "notes":
		c, data["Notes"], err = s.cfg.Cases.Notes(ctx, actor, caseID)
		if err == nil {
			data["Roster"], err = s.cfg.Cases.Roster(ctx, actor, caseID)
		}
	case "sharing":
		var sh cases.Sharing
		sh, err = s.cfg.Cases.Sharing(ctx, actor, caseID)
		c, data["Shares"], data["Requests"] = sh.Case, sh.Shares, sh.Requests
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, list, err := s.agencyMap(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := strconv.FormatInt(c.ID, 10)
	var tabs []tabLink
	for _, t := range caseTabs {
		if t.Name == "sharing" && !access.CanEditCase(actor, c.AgencyID) {
			continue
		}
		tabs = append(tabs, tabLink{Href: t.path(id), Key: t.Key, Current: t.Name == tab})
	}
	data["Tab"], data["Tabs"], data["C"], data["Agencies"], data["AgencyList"] = tab, tabs, c, names, list
	data["CanEdit"] = access.CanEditCase(actor, c.AgencyID)
	data["CanContribute"] = access.CanContribute(actor, c.Level)
	data["CanProsecute"] = access.CanProsecute(actor, c.Level)
	data["Identities"] = access.CanSeeCaseIdentities(actor, c.Level)
	data["Next"] = cases.Next(c.Status)
	if tab == "overview" {
		data["Conflict"] = r.Method == http.MethodPost && core.Is(formErr, core.Conflict)
		if data["Conflict"] == true {
			// What someone else changed since the form was read: the stored facts that differ
			// from what the user submitted. The form keeps what they typed, on the new version.
			data["Changed"] = cases.Differences(c, inputFromForm(form))
			form.Set("version", strconv.Itoa(c.Version))
			formErr = nil
		}
	}
	s.renderCases(w, r, status, "cases_case", data, form, formErr)
}

// casePost parses a form, runs fn on the case and redirects to the tab, or shows the tab again
// with the errors and what was typed.
func (s *Server) casePost(w http.ResponseWriter, r *http.Request, tab string, fn func(caseID int64) error) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	caseID, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := fn(caseID); err != nil {
		switch {
		case tab == "overview" && core.Is(err, core.Conflict):
			s.casePage(w, r, tab, http.StatusConflict, r.PostForm, err)
		case core.Is(err, core.Invalid):
			s.casePage(w, r, tab, http.StatusBadRequest, r.PostForm, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, caseTab{Name: tab}.path(strconv.FormatInt(caseID, 10)), http.StatusSeeOther)
}

func (s *Server) caseUpdate(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "overview", func(id int64) error {
		_, err := s.cfg.Cases.Update(r.Context(), actorOf(r), id, caseFormInt(r, "version"), inputFromForm(r.PostForm))
		return err
	})
}

func (s *Server) caseStatus(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "overview", func(id int64) error {
		_, err := s.cfg.Cases.SetStatus(r.Context(), actorOf(r), id, caseFormInt(r, "version"), cases.Status(r.PostFormValue("status")))
		return err
	})
}

func (s *Server) caseReopen(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "overview", func(id int64) error {
		_, err := s.cfg.Cases.Reopen(r.Context(), actorOf(r), id, caseFormInt(r, "version"), r.PostFormValue("reason"))
		return err
	})
}

func (s *Server) casePersonAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "persons", func(id int64) error {
		_, err := s.cfg.Cases.AddPerson(r.Context(), actorOf(r), id, cases.PersonInput{PersonID: caseFormID(r, "person_id"),
			Role: r.PostFormValue("role"), PerpetratorRoles: r.PostForm["perpetrator_roles"],
			VictimStatus: r.PostFormValue("victim_status"), StatusDecidedBy: r.PostFormValue("status_decided_by")})
		return err
	})
}

func (s *Server) caseEventAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "events", func(id int64) error {
		f := r.PostForm
		_, err := s.cfg.Cases.AddEvent(r.Context(), actorOf(r), id, cases.EventInput{Kind: f.Get("kind"), OccurredOn: f.Get("occurred_on"),
			Department: f.Get("department"), District: f.Get("district"), Place: f.Get("place"), Description: f.Get("description")})
		return err
	})
}

func taskFromForm(r *http.Request) cases.TaskInput {
	return cases.TaskInput{Title: r.PostFormValue("title"), AssignedAgencyID: caseFormID(r, "assigned_agency"),
		AssignedUserID: caseFormID(r, "assigned_user"), DueOn: r.PostFormValue("due_on"), Status: r.PostFormValue("status")}
}

func (s *Server) caseTaskAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "tasks", func(id int64) error {
		_, err := s.cfg.Cases.AddTask(r.Context(), actorOf(r), id, taskFromForm(r))
		return err
	})
}

func (s *Server) caseTaskUpdate(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "tasks", func(id int64) error {
		tid, err := pathID(r, "tid")
		if err != nil {
			return err
		}
		_, err = s.cfg.Cases.UpdateTask(r.Context(), actorOf(r), id, tid, caseFormInt(r, "version"), taskFromForm(r))
		return err
	})
}

// maxEvidenceFile bounds an evidence file: only its hash is kept, but it is read whole.
const maxEvidenceFile = 20 << 20

func (s *Server) caseEvidenceAdd(w http.ResponseWriter, r *http.Request) {
	caseID, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var file []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, maxEvidenceFile+1<<20)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			s.fail(w, r, core.Wrap(core.Invalid, "case.error.file_too_large", err))
			return
		}
		if f, _, err := r.FormFile("file"); err == nil {
			file, err = io.ReadAll(f)
			f.Close()
			if err != nil {
				s.fail(w, r, core.Wrap(core.Invalid, "case.error.file_too_large", err))
				return
			}
		}
	} else if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	_, err = s.cfg.Cases.AddEvidence(r.Context(), actorOf(r), caseID, cases.EvidenceInput{Item: f.Get("item"),
		Description: f.Get("description"), CollectedBy: f.Get("collected_by"), CollectedOn: f.Get("collected_on"),
		Holder: f.Get("holder"), File: file})
	if err != nil {
		if core.Is(err, core.Invalid) {
			s.casePage(w, r, "evidence", http.StatusBadRequest, r.PostForm, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(caseID, 10)+"/evidence", http.StatusSeeOther)
}

func (s *Server) caseCustodyAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "evidence", func(id int64) error {
		eid, err := pathID(r, "eid")
		if err != nil {
			return err
		}
		_, err = s.cfg.Cases.AppendCustody(r.Context(), actorOf(r), id, eid, cases.CustodyInput{Action: r.PostFormValue("action"),
			Holder: r.PostFormValue("custody_holder"), Note: r.PostFormValue("note")})
		return renameField(err, "holder", "custody_holder")
	})
}

// renameField points a service's field error at the form's field of another name.
func renameField(err error, from, to string) error {
	if ce, ok := err.(*core.Error); ok {
		for i := range ce.Fields {
			if ce.Fields[i].Field == from {
				ce.Fields[i].Field = to
			}
		}
	}
	return err
}

func (s *Server) caseChargeAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "prosecution", func(id int64) error {
		_, err := s.cfg.Cases.AddCharge(r.Context(), actorOf(r), id, cases.ChargeInput{CasePersonID: caseFormID(r, "case_person"),
			Article: r.PostFormValue("article"), FiledOn: r.PostFormValue("filed_on")})
		return err
	})
}

func (s *Server) caseOutcome(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "prosecution", func(id int64) error {
		cid, err := pathID(r, "cid")
		if err != nil {
			return err
		}
		_, err = s.cfg.Cases.RecordOutcome(r.Context(), actorOf(r), id, cid, caseFormInt(r, "version"), cases.OutcomeInput{
			Outcome: r.PostFormValue("outcome"), OutcomeOn: r.PostFormValue("outcome_on"), Sentence: r.PostFormValue("sentence")})
		return err
	})
}

func (s *Server) caseHearingAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "prosecution", func(id int64) error {
		_, err := s.cfg.Cases.AddHearing(r.Context(), actorOf(r), id, cases.HearingInput{HeldOn: r.PostFormValue("held_on"),
			Kind: r.PostFormValue("hearing_kind"), Court: r.PostFormValue("court"), Result: r.PostFormValue("result")})
		return renameField(err, "kind", "hearing_kind")
	})
}

func (s *Server) caseShare(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "sharing", func(id int64) error {
		return s.cfg.Cases.Share(r.Context(), actorOf(r), id, caseFormID(r, "agency"), core.ShareLevel(r.PostFormValue("level")))
	})
}

func (s *Server) caseRevoke(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "sharing", func(id int64) error {
		agency, err := pathID(r, "agency")
		if err != nil {
			return err
		}
		return s.cfg.Cases.Revoke(r.Context(), actorOf(r), id, agency)
	})
}

func (s *Server) caseDecide(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "sharing", func(id int64) error {
		rid, err := pathID(r, "rid")
		if err != nil {
			return err
		}
		return s.cfg.Cases.Decide(r.Context(), actorOf(r), id, rid, r.PostFormValue("decision") == "accept",
			core.ShareLevel(r.PostFormValue("level")))
	})
}

func (s *Server) caseReferralAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "referrals", func(id int64) error {
		_, err := s.cfg.Cases.Refer(r.Context(), actorOf(r), id, cases.ReferralInput{CasePersonID: caseFormID(r, "case_person"),
			Service: r.PostFormValue("service"), ToAgencyID: caseFormID(r, "to_agency"), OutsideService: r.PostFormValue("outside_service"),
			Consent: r.PostFormValue("consent"), OverrideReason: r.PostFormValue("override_reason")})
		return err
	})
}

func (s *Server) caseNoteAdd(w http.ResponseWriter, r *http.Request) {
	s.casePost(w, r, "notes", func(id int64) error {
		kind := cases.NoteCase
		if caseFormID(r, "case_person") != 0 {
			kind = cases.NotePerson
		}
		_, err := s.cfg.Cases.AddNote(r.Context(), actorOf(r), id, caseFormID(r, "case_person"), kind, []byte(strings.TrimSpace(r.PostFormValue("body"))))
		return err
	})
}

func (s *Server) caseAttachment(w http.ResponseWriter, r *http.Request) {
	caseID, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	nid, err := pathID(r, "nid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.cfg.Cases.Attachment(r.Context(), actorOf(r), caseID, nid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The download names the attachment by its id only: file names can identify people.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="adjunto-`+strconv.FormatInt(n.ID, 10)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(n.Body)
}
