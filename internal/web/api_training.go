package web

import (
	"net/http"
	"strconv"
	"time"

	"nanduti/internal/training"
)

func (s *Server) routesTrainingAPI() {
	s.handle("GET /api/v1/training/courses", APIToken, s.apiTrainingCourses)
	s.handle("POST /api/v1/training/courses", APIToken, s.apiTrainingCreateCourse)
	s.handle("GET /api/v1/training/sessions", APIToken, s.apiTrainingSessions)
	s.handle("POST /api/v1/training/sessions", APIToken, s.apiTrainingCreateSession)
	s.handle("GET /api/v1/training/sessions/{id}", APIToken, s.apiTrainingSession)
	s.handle("POST /api/v1/training/sessions/{id}/participants", APIToken, s.apiTrainingEnrol)
	s.handle("POST /api/v1/training/sessions/{id}/attendance", APIToken, s.apiTrainingAttendance)
	s.handle("POST /api/v1/training/sessions/{id}/scores", APIToken, s.apiTrainingScores)
	s.handle("POST /api/v1/training/sessions/{id}/certificates", APIToken, s.apiTrainingIssue)
	s.handle("POST /api/v1/training/certificates/{id}/revoke", APIToken, s.apiTrainingRevoke)
	s.handle("GET /api/v1/training/cascade", APIToken, s.apiTrainingCascade)
	s.handle("GET /api/v1/training/report", APIToken, s.apiTrainingReport)
}

type apiModule struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	Minutes  int    `json:"minutes"`
}

type apiCourse struct {
	ID               int64       `json:"id"`
	OwnerAgencyID    int64       `json:"owner_agency_id"`
	Title            string      `json:"title"`
	Objectives       string      `json:"objectives"`
	Language         string      `json:"language"`
	MinAttendancePct int         `json:"min_attendance_pct"`
	MinPostScore     int         `json:"min_post_score"`
	TrainerCourse    bool        `json:"trainer_course"`
	Modules          []apiModule `json:"modules"`
	CreatedAt        time.Time   `json:"created_at"`
}

func toAPICourse(c training.Course) apiCourse {
	out := apiCourse{ID: c.ID, OwnerAgencyID: c.OwnerAgencyID, Title: c.Title, Objectives: c.Objectives, Language: c.Language,
		MinAttendancePct: c.MinAttendancePct, MinPostScore: c.MinPostScore, TrainerCourse: c.TrainerCourse,
		Modules: []apiModule{}, CreatedAt: c.CreatedAt}
	for _, m := range c.Modules {
		out.Modules = append(out.Modules, apiModule{ID: m.ID, Position: m.Position, Title: m.Title, Minutes: m.Minutes})
	}
	return out
}

func (s *Server) apiTrainingCourses(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Training.Courses(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiCourse, 0, len(list))
	for _, c := range list {
		out = append(out, toAPICourse(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": out})
}

func (s *Server) apiTrainingCreateCourse(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title            string `json:"title"`
		Objectives       string `json:"objectives"`
		Language         string `json:"language"`
		MinAttendancePct int    `json:"min_attendance_pct"`
		MinPostScore     int    `json:"min_post_score"`
		TrainerCourse    bool   `json:"trainer_course"`
		Modules          []struct {
			Title   string `json:"title"`
			Minutes int    `json:"minutes"`
		} `json:"modules"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	nc := training.NewCourse{Title: in.Title, Objectives: in.Objectives, Language: in.Language, MinAttendancePct: in.MinAttendancePct,
		MinPostScore: in.MinPostScore, TrainerCourse: in.TrainerCourse}
	for _, m := range in.Modules {
		nc.Modules = append(nc.Modules, training.NewModule{Title: m.Title, Minutes: m.Minutes})
	}
	c, err := s.cfg.Training.CreateCourse(r.Context(), actorOf(r), nc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPICourse(c))
}

type apiSession struct {
	ID           int64   `json:"id"`
	CourseID     int64   `json:"course_id"`
	CourseTitle  string  `json:"course_title"`
	HostAgencyID int64   `json:"host_agency_id"`
	StartsOn     string  `json:"starts_on"`
	EndsOn       string  `json:"ends_on"`
	Department   string  `json:"department"`
	District     string  `json:"district"`
	Place        string  `json:"place"`
	Participants int     `json:"participants"`
	Completed    *int    `json:"completed,omitempty"`
	View         string  `json:"view"`
	TrainerIDs   []int64 `json:"trainer_ids"`
}

func viewName(full bool) string {
	if full {
		return "full"
	}
	return "summary"
}

func toAPISession(ss training.Session, c training.Course, participants int, full bool) apiSession {
	out := apiSession{ID: ss.ID, CourseID: ss.CourseID, CourseTitle: c.Title, HostAgencyID: ss.HostAgencyID,
		StartsOn: ss.StartsOn.Format("2006-01-02"), EndsOn: ss.EndsOn.Format("2006-01-02"), Department: ss.Department,
		District: ss.District, Place: ss.Place, Participants: participants, View: viewName(full), TrainerIDs: []int64{}}
	if full {
		out.TrainerIDs = append(out.TrainerIDs, ss.TrainerIDs...)
	}
	return out
}

func (s *Server) apiTrainingSessions(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Training.Sessions(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiSession, 0, len(list))
	for _, ss := range list {
		out = append(out, toAPISession(ss.Session, ss.Course, ss.Participants, ss.View == 2))
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
}

func (s *Server) apiTrainingCreateSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CourseID   int64   `json:"course_id"`
		StartsOn   string  `json:"starts_on"`
		EndsOn     string  `json:"ends_on"`
		Department string  `json:"department"`
		District   string  `json:"district"`
		Place      string  `json:"place"`
		TrainerIDs []int64 `json:"trainer_ids"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	start, _ := training.ParseDate(in.StartsOn)
	end, _ := training.ParseDate(in.EndsOn)
	ss, err := s.cfg.Training.CreateSession(r.Context(), actorOf(r), training.NewSession{CourseID: in.CourseID, StartsOn: start,
		EndsOn: end, Department: in.Department, District: in.District, Place: in.Place, TrainerIDs: in.TrainerIDs})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAPISession(w, r, ss.ID, http.StatusCreated)
}

type apiEnrolment struct {
	ParticipantID   int64             `json:"participant_id"`
	Name            string            `json:"name"`
	AgencyID        int64             `json:"agency_id"`
	Rank            string            `json:"rank"`
	Department      string            `json:"department"`
	PreScore        *int              `json:"pre_score"`
	PostScore       *int              `json:"post_score"`
	Feedback        *int              `json:"feedback"`
	Attendance      map[string]string `json:"attendance"`
	AttendancePct   int               `json:"attendance_pct"`
	Completed       bool              `json:"completed"`
	CertificateID   *int64            `json:"certificate_id"`
	CertificateCode string            `json:"certificate_code,omitempty"`
	Revoked         bool              `json:"revoked"`
}

type apiSessionDetail struct {
	apiSession
	Course      apiCourse      `json:"course"`
	Enrolments  []apiEnrolment `json:"enrolments"`
	CompletedOf int            `json:"completed_count"`
}

func (s *Server) writeAPISession(w http.ResponseWriter, r *http.Request, sid int64, status int) {
	d, err := s.cfg.Training.Session(r.Context(), actorOf(r), sid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiSessionDetail{apiSession: toAPISession(d.Session, d.Course, d.Participants, d.CanManage()),
		Course: toAPICourse(d.Course), Enrolments: []apiEnrolment{}, CompletedOf: d.Completed}
	for _, e := range d.Enrolments {
		ae := apiEnrolment{ParticipantID: e.Participant.ID, Name: e.Participant.Name, AgencyID: e.Participant.AgencyID,
			Rank: e.Participant.Rank, Department: e.Participant.Department, PreScore: e.PreScore, PostScore: e.PostScore,
			Feedback: e.Feedback, Attendance: map[string]string{}, AttendancePct: e.Progress.AttendancePct, Completed: e.Progress.Completed}
		for mid, a := range e.Attendance {
			ae.Attendance[strconv.FormatInt(mid, 10)] = string(a)
		}
		if c := e.Certificate; c != nil {
			id := c.ID
			ae.CertificateID, ae.CertificateCode, ae.Revoked = &id, training.FormatCode(c.Code), c.Revoked()
		}
		out.Enrolments = append(out.Enrolments, ae)
	}
	writeJSON(w, status, out)
}

func (s *Server) apiTrainingSession(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAPISession(w, r, sid, http.StatusOK)
}

func (s *Server) apiTrainingEnrol(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ParticipantID int64 `json:"participant_id"`
		Participant   *struct {
			AgencyID   int64  `json:"agency_id"`
			Name       string `json:"name"`
			Rank       string `json:"rank"`
			Unit       string `json:"unit"`
			Department string `json:"department"`
			Contact    string `json:"contact"`
		} `json:"participant"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Participant != nil {
		p := in.Participant
		_, err = s.cfg.Training.EnrolNew(r.Context(), actorOf(r), sid, training.NewParticipant{AgencyID: p.AgencyID, Name: p.Name,
			Rank: p.Rank, Unit: p.Unit, Department: p.Department, Contact: p.Contact})
	} else {
		err = s.cfg.Training.Enrol(r.Context(), actorOf(r), sid, in.ParticipantID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAPISession(w, r, sid, http.StatusOK)
}

func (s *Server) apiTrainingAttendance(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		Marks []struct {
			ParticipantID int64  `json:"participant_id"`
			ModuleID      int64  `json:"module_id"`
			Status        string `json:"status"`
		} `json:"marks"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var marks []training.AttendanceMark
	for _, m := range in.Marks {
		marks = append(marks, training.AttendanceMark{ParticipantID: m.ParticipantID, ModuleID: m.ModuleID, Status: training.Attendance(m.Status)})
	}
	if err := s.cfg.Training.RecordAttendance(r.Context(), actorOf(r), sid, marks); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAPISession(w, r, sid, http.StatusOK)
}

func (s *Server) apiTrainingScores(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		Scores []struct {
			ParticipantID int64 `json:"participant_id"`
			Pre           *int  `json:"pre_score"`
			Post          *int  `json:"post_score"`
			Feedback      *int  `json:"feedback"`
		} `json:"scores"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var scores []training.Scores
	for _, sc := range in.Scores {
		scores = append(scores, training.Scores{ParticipantID: sc.ParticipantID, Pre: sc.Pre, Post: sc.Post, Feedback: sc.Feedback})
	}
	if err := s.cfg.Training.RecordScores(r.Context(), actorOf(r), sid, scores); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAPISession(w, r, sid, http.StatusOK)
}

func (s *Server) apiTrainingIssue(w http.ResponseWriter, r *http.Request) {
	sid, err := pathID(r, "id")
	var n int
	if err == nil {
		n, err = s.cfg.Training.IssueCertificates(r.Context(), actorOf(r), sid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"issued": n})
}

func (s *Server) apiTrainingRevoke(w http.ResponseWriter, r *http.Request) {
	cid, err := pathID(r, "id")
	var c training.Certificate
	if err == nil {
		c, err = s.cfg.Training.RevokeCertificate(r.Context(), actorOf(r), cid)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": c.ID, "session_id": c.SessionID, "revoked_at": c.RevokedAt})
}

type apiReachRow struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	People    int    `json:"people"`
	Completed int    `json:"completed"`
}

func toAPIReach(rows []training.ReachRow) []apiReachRow {
	out := make([]apiReachRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, apiReachRow{Key: r.Key, Label: r.Label, People: r.People, Completed: r.Completed})
	}
	return out
}

func apiCascadeOf(c *training.Cascade) map[string]any {
	return map[string]any{"generations": c.Generations, "people": c.People, "completed": c.Completed,
		"by_generation": toAPIReach(c.ByGeneration), "by_agency": toAPIReach(c.ByAgency),
		"by_department": toAPIReach(c.ByDepartment), "by_course": toAPIReach(c.ByCourse)}
}

// apiTrainingCascade returns the reach: counts only, never names.
func (s *Server) apiTrainingCascade(w http.ResponseWriter, r *http.Request) {
	c, err := s.cfg.Training.Cascade(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiCascadeOf(c))
}

type apiEffectRow struct {
	Key             string         `json:"key"`
	Label           string         `json:"label"`
	OfficersTrained int            `json:"officers_trained"`
	Completed       int            `json:"completed"`
	FirstTraining   string         `json:"first_training"`
	Paired          int            `json:"paired_scores"`
	PreMean         *float64       `json:"pre_mean"`
	PostMean        *float64       `json:"post_mean"`
	Gain            *float64       `json:"gain"`
	Field           map[string]any `json:"field"`
}

func toAPIEffect(rows []training.EffectRow) []apiEffectRow {
	out := make([]apiEffectRow, 0, len(rows))
	for _, r := range rows {
		a := apiEffectRow{Key: r.Key, Label: r.Label, OfficersTrained: r.OfficersTrained, Completed: r.Completed,
			FirstTraining: r.FirstTraining.Format("2006-01-02"), Paired: r.Knowledge.Paired}
		if r.Knowledge.Shown {
			pre, post, gain := r.Knowledge.PreMean, r.Knowledge.PostMean, r.Knowledge.Gain
			a.PreMean, a.PostMean, a.Gain = &pre, &post, &gain
		}
		if f := r.Field; f != nil {
			a.Field = map[string]any{
				"before": map[string]any{"from": r.Before.From.Format("2006-01-02"), "to": r.Before.To.Format("2006-01-02"),
					"victims_identified": f.Before.VictimsIdentified, "cases_opened": f.Before.CasesOpened},
				"after": map[string]any{"from": r.After.From.Format("2006-01-02"), "to": r.After.To.Format("2006-01-02"),
					"victims_identified": f.After.VictimsIdentified, "cases_opened": f.After.CasesOpened},
			}
		}
		out = append(out, a)
	}
	return out
}

func (s *Server) apiTrainingReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.cfg.Training.Report(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	k := rep.Overall
	overall := map[string]any{"paired_scores": k.Paired}
	if k.Shown {
		overall["pre_mean"], overall["post_mean"], overall["gain"] = k.PreMean, k.PostMean, k.Gain
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"generated_at":  rep.GeneratedAt,
		"case_data":     rep.CaseData,
		"caveat":        "association, not proof of cause",
		"knowledge":     overall,
		"by_department": toAPIEffect(rep.ByDepartment),
		"by_agency":     toAPIEffect(rep.ByAgency),
		"reach":         apiCascadeOf(rep.Cascade),
	})
}
