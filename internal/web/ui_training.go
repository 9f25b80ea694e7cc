package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
	"nanduti/internal/training"
)

// routesTraining registers the training programme's pages, the public certificate
// verification page and the training API.
func (s *Server) routesTraining() {
	if s.cfg.Training == nil {
		return
	}
	s.handle("GET /training", SignedIn, s.trainingHome)
	s.handle("GET /training/courses/new", SignedIn, s.trainingCourseForm)
	s.handle("POST /training/courses", SignedIn, s.trainingCreateCourse)
	s.handle("GET /training/courses/{id}", SignedIn, s.trainingCourse)
	s.handle("GET /training/sessions/new", SignedIn, s.trainingSessionForm)
	s.handle("POST /training/sessions", SignedIn, s.trainingCreateSession)
	s.handle("GET /training/sessions/{id}", SignedIn, s.trainingSession)
	s.handle("POST /training/sessions/{id}/participants", SignedIn, s.trainingEnrol)
	s.handle("GET /training/sessions/{id}/attendance", SignedIn, s.trainingAttendanceForm)
	s.handle("POST /training/sessions/{id}/attendance", SignedIn, s.trainingAttendance)
	s.handle("POST /training/sessions/{id}/scores", SignedIn, s.trainingScores)
	s.handle("POST /training/sessions/{id}/certificates", SignedIn, s.trainingIssue)
	s.handle("GET /training/sessions/{id}/import", SignedIn, s.trainingImportForm)
	s.handle("POST /training/sessions/{id}/import", SignedIn, s.trainingImport)
	s.handle("GET /training/sessions/{id}/import/template.csv", SignedIn, s.trainingImportTemplate)
	s.handle("GET /training/certificates/{id}/pdf", SignedIn, s.trainingCertificatePDF)
	s.handle("POST /training/certificates/{id}/revoke", SignedIn, s.trainingRevoke)
	s.handle("GET /training/participants", SignedIn, s.trainingParticipants)
	s.handle("GET /training/participants/{id}", SignedIn, s.trainingParticipant)
	s.handle("GET /training/cascade", SignedIn, s.trainingCascade)
	s.handle("GET /training/report", SignedIn, s.trainingReport)
	s.handle("GET /verify", Public, s.verifyForm)
	s.handle("GET /verify/{code}", Public, s.verify)
	s.routesTrainingAPI()
}

// trainingView gives the training templates their formatting helpers.
type trainingView struct {
	lang     string
	agencies map[int64]core.Agency
}

func (s *Server) trainingView(r *http.Request) trainingView {
	v := trainingView{lang: state(r.Context()).lang}
	if r.URL.Path != "" && actorOf(r).UserID != 0 {
		v.agencies, _ = s.agencyNames(r)
	}
	return v
}

// Dept names a department.
func (v trainingView) Dept(code string) string { return training.DepartmentName(code) }

// Agency names an agency by id.
func (v trainingView) Agency(id int64) string {
	if a, ok := v.agencies[id]; ok {
		return a.Name
	}
	return "—"
}

// AgencyCode gives an agency's code.
func (v trainingView) AgencyCode(id int64) string {
	if a, ok := v.agencies[id]; ok {
		return a.Code
	}
	return "—"
}

// Hours writes minutes as hours.
func (v trainingView) Hours(minutes int) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", float64(minutes)/60), "0"), ".")
}

// Date writes a date.
func (v trainingView) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}

// Score writes an optional score.
func (v trainingView) Score(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// Code writes a verification code in groups.
func (v trainingView) Code(c string) string { return training.FormatCode(c) }

// Att returns a participant's attendance at a module.
func (v trainingView) Att(e training.EnrolmentView, moduleID int64) string {
	return string(e.Attendance[moduleID])
}

// Mean writes a mean score.
func (v trainingView) Mean(f float64) string { return fmt.Sprintf("%.1f", f) }

// Signed writes a change with its sign.
func (v trainingView) Signed(f float64) string { return fmt.Sprintf("%+.1f", f) }

// Lang names a course language.
func (v trainingView) Lang(l string) string { return i18n.T(v.lang, "training.lang."+l) }

// Problem writes an import problem as one sentence naming its row and column.
func (v trainingView) Problem(p training.ImportProblem) string { return importProblemText(v.lang, p) }

func importProblemText(lang string, p training.ImportProblem) string {
	msg := i18n.T(lang, p.Key, p.Args...)
	switch {
	case p.Row > 0 && p.Column != "":
		return i18n.T(lang, "training.import.at_cell", p.Row, p.Column, msg)
	case p.Row > 0:
		return i18n.T(lang, "training.import.at_row", p.Row, msg)
	}
	return msg
}

func (s *Server) trainingRender(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["V"] = s.trainingView(r)
	s.render(w, r, status, name, data)
}

func (s *Server) trainingFormError(w http.ResponseWriter, r *http.Request, name string, data map[string]any, err error) {
	data["V"] = s.trainingView(r)
	s.formError(w, r, name, data, err)
}

// ---- home, courses ----

func (s *Server) trainingHome(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	courses, err := s.cfg.Training.Courses(r.Context(), actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Courses": courses, "Reach": access.CanSeeTrainingReach(actor),
		"CanCreate": access.CanManageCourses(actor, actor.AgencyID)}
	if ok, _, _ := access.ListSessionsScope(actor); ok {
		sessions, err := s.cfg.Training.Sessions(r.Context(), actor)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Sessions"] = sessions
		data["SeesSessions"] = true
	}
	if ok, _, _, _ := access.ParticipantRegisterScope(actor); ok {
		data["SeesRegister"] = true
	}
	s.trainingRender(w, r, http.StatusOK, "training_home", data)
}

func (s *Server) trainingCourseForm(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if !access.CanManageCourses(actor, actor.AgencyID) {
		s.fail(w, r, core.Errorf(core.Forbidden, "error.forbidden"))
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_course_new", courseFormData())
}

func courseFormData() map[string]any {
	rows := make([]int, training.MaxModules)
	for i := range rows {
		rows[i] = i + 1
	}
	return map[string]any{"Rows": rows, "Languages": training.Languages}
}

// formInt reads an integer form field; empty or unreadable reads as -1 so that validation
// names the field.
func formInt(r *http.Request, name string) int {
	v := strings.TrimSpace(r.PostFormValue(name))
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// formHours reads hours as minutes ("3", "2,5" or "2.5").
func formHours(r *http.Request, name string) int {
	v := strings.Replace(strings.TrimSpace(r.PostFormValue(name)), ",", ".", 1)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return -1
	}
	return int(f*60 + 0.5)
}

func (s *Server) trainingCreateCourse(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in := training.NewCourse{Title: r.PostFormValue("title"), Objectives: r.PostFormValue("objectives"),
		Language: r.PostFormValue("language"), MinAttendancePct: formInt(r, "min_attendance"), MinPostScore: formInt(r, "min_post_score"),
		TrainerCourse: r.PostFormValue("trainer_course") == "1"}
	for i := 1; i <= training.MaxModules; i++ {
		n := strconv.Itoa(i)
		in.Modules = append(in.Modules, training.NewModule{Title: r.PostFormValue("module_" + n), Minutes: formHours(r, "hours_"+n)})
	}
	c, err := s.cfg.Training.CreateCourse(r.Context(), actorOf(r), in)
	if err != nil {
		s.trainingFormError(w, r, "training_course_new", courseFormData(), err)
		return
	}
	http.Redirect(w, r, "/training/courses/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

func (s *Server) trainingCourse(w http.ResponseWriter, r *http.Request) {
	cid, err := pathID(r, "id")
	var c training.Course
	if err == nil {
		c, err = s.cfg.Training.Course(r.Context(), actorOf(r), cid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_course", map[string]any{"Course": c})
}

// ---- sessions ----

func (s *Server) sessionFormData(r *http.Request) (map[string]any, error) {
	actor := actorOf(r)
	if !access.CanCreateSession(actor, actor.AgencyID) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	courses, err := s.cfg.Training.Courses(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	people, err := s.cfg.Training.Participants(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Courses": courses, "People": people, "Departments": training.Departments}, nil
}

func (s *Server) trainingSessionForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.sessionFormData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_session_new", data)
}

func formIDs(values []string) []int64 {
	var out []int64
	for _, v := range values {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func formDate(r *http.Request, name string) time.Time {
	t, _ := training.ParseDate(r.PostFormValue(name))
	return t
}

func (s *Server) trainingCreateSession(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	courseID, _ := strconv.ParseInt(r.PostFormValue("course"), 10, 64)
	ss, err := s.cfg.Training.CreateSession(r.Context(), actorOf(r), training.NewSession{CourseID: courseID,
		StartsOn: formDate(r, "starts_on"), EndsOn: formDate(r, "ends_on"), Department: r.PostFormValue("department"),
		District: r.PostFormValue("district"), Place: r.PostFormValue("place"), TrainerIDs: formIDs(r.PostForm["trainers"])})
	if err != nil {
		data, derr := s.sessionFormData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.trainingFormError(w, r, "training_session_new", data, err)
		return
	}
	http.Redirect(w, r, "/training/sessions/"+strconv.FormatInt(ss.ID, 10), http.StatusSeeOther)
}

// sessionPageData loads what the session page shows; enrolment offers the register's
// participants who are not in the session yet.
func (s *Server) sessionPageData(r *http.Request, sid int64) (map[string]any, error) {
	actor := actorOf(r)
	d, err := s.cfg.Training.Session(r.Context(), actor, sid)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"D": d, "Departments": training.Departments, "Notice": noticeKey(r), "Done": r.URL.Query().Get("done")}
	if d.CanManage() {
		people, err := s.cfg.Training.Participants(r.Context(), actor)
		if err != nil && !core.Is(err, core.Forbidden) {
			return nil, err
		}
		in := map[int64]bool{}
		for _, e := range d.Enrolments {
			in[e.Participant.ID] = true
		}
		var candidates []training.Participant
		for _, p := range people {
			if !in[p.ID] {
				candidates = append(candidates, p)
			}
		}
		data["Candidates"] = candidates
		agencies, err := s.cfg.Accounts.ListAgencies(r.Context(), actor)
		if err != nil {
			return nil, err
		}
		data["Agencies"] = agencies
	}
	return data, nil
}

// noticeKey maps the ?done= of a redirect to a catalogue message; unknown values show none.
func noticeKey(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "attendance":
		return "training.notice.attendance"
	case "scores":
		return "training.notice.scores"
	case "enrolled":
		return "training.notice.enrolled"
	case "certificates":
		return "training.notice.certificates"
	case "revoked":
		return "training.notice.revoked"
	case "imported":
		return "training.notice.imported"
	}
	return ""
}

func (s *Server) trainingSession(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	var data map[string]any
	if err == nil {
		data, err = s.sessionPageData(r, sid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_session", data)
}

func (s *Server) sessionURL(sid int64, done string) string {
	u := "/training/sessions/" + strconv.FormatInt(sid, 10)
	if done != "" {
		u += "?done=" + done
	}
	return u
}

// sessionFormError re-renders the session page with the form's errors.
func (s *Server) sessionFormError(w http.ResponseWriter, r *http.Request, sid int64, err error) {
	data, derr := s.sessionPageData(r, sid)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	s.trainingFormError(w, r, "training_session", data, err)
}

func (s *Server) trainingEnrol(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	if pid, perr := strconv.ParseInt(r.PostFormValue("participant"), 10, 64); perr == nil && pid > 0 {
		err = s.cfg.Training.Enrol(r.Context(), actor, sid, pid)
	} else {
		agencyID, _ := strconv.ParseInt(r.PostFormValue("agency"), 10, 64)
		_, err = s.cfg.Training.EnrolNew(r.Context(), actor, sid, training.NewParticipant{AgencyID: agencyID,
			Name: r.PostFormValue("name"), Rank: r.PostFormValue("rank"), Unit: r.PostFormValue("unit"),
			Department: r.PostFormValue("department"), Contact: r.PostFormValue("contact")})
	}
	if err != nil {
		s.sessionFormError(w, r, sid, err)
		return
	}
	http.Redirect(w, r, s.sessionURL(sid, "enrolled"), http.StatusSeeOther)
}

func (s *Server) attendanceData(r *http.Request, sid int64) (map[string]any, error) {
	d, err := s.cfg.Training.Session(r.Context(), actorOf(r), sid)
	if err != nil {
		return nil, err
	}
	if !d.CanManage() {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	modules := d.Course.Modules
	// One module at a time on a phone: ?module=N keeps the page short for one class.
	if n, err := strconv.Atoi(r.URL.Query().Get("module")); err == nil && n >= 1 && n <= len(modules) {
		modules = modules[n-1 : n]
	}
	return map[string]any{"D": d, "Modules": modules, "Values": training.AttendanceValues}, nil
}

func (s *Server) trainingAttendanceForm(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	var data map[string]any
	if err == nil {
		data, err = s.attendanceData(r, sid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_attendance", data)
}

// trainingAttendance reads the radio buttons named a_PARTICIPANT_MODULE; "all present"
// marks every unmarked one present, for the common class where everyone came.
func (s *Server) trainingAttendance(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var marks []training.AttendanceMark
	for key, vals := range r.PostForm {
		rest, ok := strings.CutPrefix(key, "a_")
		if !ok || len(vals) == 0 {
			continue
		}
		ps, ms, ok := strings.Cut(rest, "_")
		pid, err1 := strconv.ParseInt(ps, 10, 64)
		mid, err2 := strconv.ParseInt(ms, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		marks = append(marks, training.AttendanceMark{ParticipantID: pid, ModuleID: mid, Status: training.Attendance(vals[0])})
	}
	if r.PostFormValue("all") == "present" {
		d, err := s.cfg.Training.Session(r.Context(), actorOf(r), sid)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		marked := map[[2]int64]bool{}
		for _, m := range marks {
			marked[[2]int64{m.ParticipantID, m.ModuleID}] = true
		}
		for _, mid := range formIDs(r.PostForm["module"]) {
			for _, e := range d.Enrolments {
				if !marked[[2]int64{e.Participant.ID, mid}] {
					marks = append(marks, training.AttendanceMark{ParticipantID: e.Participant.ID, ModuleID: mid, Status: training.Present})
				}
			}
		}
	}
	if err := s.cfg.Training.RecordAttendance(r.Context(), actorOf(r), sid, marks); err != nil {
		data, derr := s.attendanceData(r, sid)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.trainingFormError(w, r, "training_attendance", data, err)
		return
	}
	http.Redirect(w, r, s.sessionURL(sid, "attendance"), http.StatusSeeOther)
}

// optionalInt reads a score field: empty is nil; anything unreadable is -1, which the service
// rejects as out of range and names the field.
func optionalInt(r *http.Request, name string) *int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		n = -1
	}
	return &n
}

func (s *Server) trainingScores(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var scores []training.Scores
	for _, pid := range formIDs(r.PostForm["participant"]) {
		n := strconv.FormatInt(pid, 10)
		scores = append(scores, training.Scores{ParticipantID: pid, Pre: optionalInt(r, "pre_"+n),
			Post: optionalInt(r, "post_"+n), Feedback: optionalInt(r, "feedback_"+n)})
	}
	if err := s.cfg.Training.RecordScores(r.Context(), actorOf(r), sid, scores); err != nil {
		s.sessionFormError(w, r, sid, err)
		return
	}
	http.Redirect(w, r, s.sessionURL(sid, "scores"), http.StatusSeeOther)
}

func (s *Server) trainingIssue(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err == nil {
		_, err = s.cfg.Training.IssueCertificates(r.Context(), actorOf(r), sid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.sessionURL(sid, "certificates"), http.StatusSeeOther)
}

// verifyBase is the verification page's address as this request reached the server; the
// certificate prints it so that anyone can check the code.
func verifyBase(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		if host := r.Host; strings.HasPrefix(host, "127.0.0.1") || strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "[::1]") {
			scheme = "http"
		}
	}
	return scheme + "://" + r.Host + "/verify/"
}

func (s *Server) trainingCertificatePDF(w http.ResponseWriter, r *http.Request) {
	cid, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf, err := s.cfg.Training.CertificatePDF(r.Context(), actorOf(r), cid, verifyBase(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="certificado-%d.pdf"`, cid))
	w.Write(pdf)
}

func (s *Server) trainingRevoke(w http.ResponseWriter, r *http.Request) {
	cid, err := pathID(r, "id")
	if err == nil {
		err = s.parseForm(w, r)
	}
	var c training.Certificate
	if err == nil {
		c, err = s.cfg.Training.RevokeCertificate(r.Context(), actorOf(r), cid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.sessionURL(c.SessionID, "revoked"), http.StatusSeeOther)
}

// ---- imports ----

func (s *Server) importData(r *http.Request, sid int64) (map[string]any, error) {
	d, err := s.cfg.Training.Session(r.Context(), actorOf(r), sid)
	if err != nil {
		return nil, err
	}
	if !d.CanManage() {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	return map[string]any{"D": d}, nil
}

func (s *Server) trainingImportForm(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	var data map[string]any
	if err == nil {
		data, err = s.importData(r, sid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_import", data)
}

// trainingImport previews an uploaded file, or, on confirmation, applies the checked rows
// the preview carried. A file with any problem is shown with every problem and nothing is
// written.
func (s *Server) trainingImport(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, training.MaxImportBytes+64<<10)
	var content []byte
	confirm := false
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(training.MaxImportBytes + 64<<10); err != nil {
			s.fail(w, r, core.Wrap(core.Invalid, "training.import.too_large", err))
			return
		}
		f, _, ferr := r.FormFile("file")
		if ferr == nil {
			content, err = io.ReadAll(io.LimitReader(f, training.MaxImportBytes+1))
			f.Close()
			if err != nil {
				s.fail(w, r, core.Wrap(core.Invalid, "error.bad_form", err))
				return
			}
		}
	} else if err := r.ParseForm(); err != nil {
		s.fail(w, r, core.Wrap(core.Invalid, "error.bad_form", err))
		return
	}
	if len(content) == 0 && r.PostFormValue("canonical") != "" {
		content = []byte(r.PostFormValue("canonical"))
		confirm = r.PostFormValue("confirm") == "1"
	}
	data, err := s.importData(r, sid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(content) == 0 {
		s.trainingFormError(w, r, "training_import", data, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "file", Key: "training.import.file_required"}}})
		return
	}
	actor := actorOf(r)
	var plan training.ImportPlan
	if confirm {
		plan, err = s.cfg.Training.ApplyImport(r.Context(), actor, sid, content)
		if err == nil {
			http.Redirect(w, r, s.sessionURL(sid, "imported"), http.StatusSeeOther)
			return
		}
		if !errors.Is(err, training.ErrImportInvalid) {
			s.fail(w, r, err)
			return
		}
	} else if plan, err = s.cfg.Training.PreviewImport(r.Context(), actor, sid, content); err != nil {
		s.fail(w, r, err)
		return
	}
	data["Plan"] = plan
	status := http.StatusOK
	if !plan.Valid() {
		status = http.StatusBadRequest
	} else {
		data["Canonical"] = string(training.CanonicalCSV(plan))
	}
	s.trainingRender(w, r, status, "training_import", data)
}

func (s *Server) trainingImportTemplate(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	var data map[string]any
	if err == nil {
		data, err = s.importData(r, sid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sesion-%d.csv"`, sid))
	w.Write(training.ImportTemplate(data["D"].(training.SessionDetail)))
}

// ---- participants, cascade, report ----

func (s *Server) trainingParticipants(w http.ResponseWriter, r *http.Request) {
	people, err := s.cfg.Training.Participants(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_participants", map[string]any{"People": people})
}

func (s *Server) trainingParticipant(w http.ResponseWriter, r *http.Request) {
	pid, err := pathID(r, "id")
	var rec training.ParticipantRecord
	if err == nil {
		rec, err = s.cfg.Training.Participant(r.Context(), actorOf(r), pid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_participant", map[string]any{"R": rec})
}

func (s *Server) trainingCascade(w http.ResponseWriter, r *http.Request) {
	c, err := s.cfg.Training.Cascade(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_cascade", map[string]any{"C": c})
}

func (s *Server) trainingReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.cfg.Training.Report(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_report", map[string]any{"R": rep})
}

// ---- public verification ----

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) {
	if code := r.URL.Query().Get("code"); code != "" {
		norm, ok := training.NormaliseCode(code)
		if !ok {
			norm = "X"
		}
		http.Redirect(w, r, "/verify/"+url.PathEscape(norm), http.StatusSeeOther)
		return
	}
	s.trainingRender(w, r, http.StatusOK, "training_verify", nil)
}

// verify answers the public verification page. Found and not-found pages have the same
// structure; a not-found answer is the same whatever the code was (malformed or unknown).
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	v, err := s.cfg.Training.Verify(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	s.trainingRender(w, r, status, "training_verify", map[string]any{"Checked": true, "V2": v})
}
