package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/training"
)

func init() { matrixCaseSets = append(matrixCaseSets, trainingMatrixCases) }

// trainingFixture is a session hosted by one agency, with a trainer (a user of that agency),
// one participant who completed, and that participant's certificate.
type trainingFixture struct {
	course      training.Course
	session     training.Session
	trainer     training.Participant // the session's trainer, a qualified participant of the host
	participant training.Participant
	cert        training.Certificate
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[*harness]map[int64]trainingFixture{}
)

// newTrainingFixture builds a fresh fixture in agencyID, as that agency's trainer would.
func newTrainingFixture(h *harness, agencyID int64, marker string) trainingFixture {
	h.t.Helper()
	ctx := context.Background()
	var agency core.Agency
	for _, a := range []core.Agency{h.agencyA, h.agencyB} {
		if a.ID == agencyID {
			agency = a
		}
	}
	tu := h.user(agency, core.RoleTrainer)
	actor := core.Actor{UserID: tu.ID, AgencyID: tu.AgencyID, Roles: tu.Roles}
	var f trainingFixture
	var err error
	must := func(e error) {
		if e != nil {
			h.t.Fatalf("training fixture: %v", e)
		}
	}
	f.course, err = h.training.CreateCourse(ctx, actor, training.NewCourse{Title: "Curso " + marker, Language: "es",
		MinAttendancePct: 80, MinPostScore: 70, TrainerCourse: true, Modules: []training.NewModule{{Title: "Único", Minutes: 60}}})
	must(err)
	f.session, err = h.training.CreateSession(ctx, actor, training.NewSession{CourseID: f.course.ID,
		StartsOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), EndsOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		Department: "10", Place: "Aula " + marker})
	must(err)
	rec, err := h.training.Participant(ctx, actor, f.session.TrainerIDs[0])
	must(err)
	f.trainer = rec.Participant
	f.participant, err = h.training.EnrolNew(ctx, actor, f.session.ID, training.NewParticipant{AgencyID: agencyID,
		Name: "Participante " + marker, Department: "10"})
	must(err)
	must(h.training.RecordAttendance(ctx, actor, f.session.ID, []training.AttendanceMark{{ParticipantID: f.participant.ID,
		ModuleID: f.course.Modules[0].ID, Status: training.Present}}))
	post := 90
	must(h.training.RecordScores(ctx, actor, f.session.ID, []training.Scores{{ParticipantID: f.participant.ID, Post: &post}}))
	_, err = h.training.IssueCertificates(ctx, actor, f.session.ID)
	must(err)
	d, err := h.training.Session(ctx, actor, f.session.ID)
	must(err)
	f.cert = *d.Enrolments[0].Certificate
	return f
}

// sharedFixture returns the agency's fixture for routes that change nothing it relies on.
func sharedFixture(h *harness, agencyID int64) trainingFixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if fixtures[h] == nil {
		fixtures[h] = map[int64]trainingFixture{}
		h.t.Cleanup(func() {
			fixturesMu.Lock()
			delete(fixtures, h)
			fixturesMu.Unlock()
		})
	}
	f, ok := fixtures[h][agencyID]
	if !ok {
		f = newTrainingFixture(h, agencyID, fmt.Sprintf("compartido %d", agencyID))
		fixtures[h][agencyID] = f
	}
	return f
}

// sessionRoute builds a request on the target agency's shared session.
func sessionRoute(format string, form func(f trainingFixture) url.Values, body func(f trainingFixture) string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		f := sharedFixture(m.h, target.AgencyID)
		var fv url.Values
		if form != nil {
			fv = form(f)
		}
		b := ""
		if body != nil {
			b = body(f)
		}
		return fmt.Sprintf(format, f.session.ID), fv, b
	}
}

// sessionAccess: the host's administrators manage the session; the host's other trainers
// see it in summary (403 on changes); everyone else: not found.
func sessionAccess(ok int, isAPI bool, method string, summaryOK bool) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon && isAPI:
			return http.StatusUnauthorized
		case r == anon && method == "GET":
			return http.StatusSeeOther
		case r == anon:
			return http.StatusUnauthorized
		case rel == sameAgency && r == core.RoleAgencyAdmin:
			return ok
		case rel == sameAgency && r == core.RoleTrainer:
			if summaryOK {
				return ok
			}
			return http.StatusForbidden
		default:
			return http.StatusNotFound
		}
	}
}

var programmeRoles = roleIs(core.RoleTrainer, core.RoleAgencyAdmin)
var reachRoles = roleIs(core.RoleTrainer, core.RoleAgencyAdmin, core.RoleAnalyst)

func trainingMatrixCases() map[string]matrixCase {
	public200 := func(core.Role, relation) int { return 200 }
	courseForm := func(m *matrix, _ core.User) (string, url.Values, string) {
		return "/training/courses", url.Values{"title": {fmt.Sprintf("Curso matriz %d", m.unique())}, "language": {"es"},
			"min_attendance": {"80"}, "min_post_score": {"70"}, "module_1": {"Uno"}, "hours_1": {"2"}}, ""
	}
	sessionForm := func(m *matrix, _ core.User) (string, url.Values, string) {
		f := sharedFixture(m.h, m.h.agencyA.ID)
		return "/training/sessions", url.Values{"course": {fmt.Sprint(f.course.ID)}, "starts_on": {"2026-04-01"},
			"ends_on": {"2026-04-02"}, "department": {"10"}, "place": {"Aula"}, "trainers": {fmt.Sprint(f.trainer.ID)}}, ""
	}
	fresh := func(format string) func(*matrix, core.User) (string, url.Values, string) {
		return func(m *matrix, target core.User) (string, url.Values, string) {
			f := newTrainingFixture(m.h, target.AgencyID, fmt.Sprintf("fresco %d", m.unique()))
			return fmt.Sprintf(format, f.cert.ID), url.Values{}, ""
		}
	}
	enrolForm := func(f trainingFixture) url.Values {
		return url.Values{"name": {"Nueva Participante"}, "agency": {fmt.Sprint(f.participant.AgencyID)}, "department": {"10"}}
	}
	attForm := func(f trainingFixture) url.Values {
		return url.Values{fmt.Sprintf("a_%d_%d", f.participant.ID, f.course.Modules[0].ID): {"present"}}
	}
	scoreForm := func(f trainingFixture) url.Values {
		return url.Values{"participant": {fmt.Sprint(f.participant.ID)}, fmt.Sprintf("post_%d", f.participant.ID): {"90"}}
	}
	importForm := func(f trainingFixture) url.Values {
		return url.Values{"canonical": {fmt.Sprintf("participante,post\n%d,91\n", f.participant.ID)}, "confirm": {"1"}}
	}
	return map[string]matrixCase{
		"GET /training":             {one, fixed("/training"), ui("GET", 200, 0, everyone), false},
		"GET /training/courses/new": {one, fixed("/training/courses/new"), ui("GET", 200, 403, programmeRoles), false},
		"POST /training/courses":    {one, courseForm, ui("POST", http.StatusSeeOther, 403, programmeRoles), false},
		"GET /training/courses/{id}": {both, func(m *matrix, target core.User) (string, url.Values, string) {
			return fmt.Sprintf("/training/courses/%d", sharedFixture(m.h, target.AgencyID).course.ID), nil, ""
		}, ui("GET", 200, 0, everyone), false},
		"GET /training/sessions/new": {one, fixed("/training/sessions/new"), ui("GET", 200, 403, programmeRoles), false},
		"POST /training/sessions":    {one, sessionForm, ui("POST", http.StatusSeeOther, 403, programmeRoles), false},
		"GET /training/sessions/{id}": {both, sessionRoute("/training/sessions/%d", nil, nil),
			sessionAccess(200, false, "GET", true), false},
		"POST /training/sessions/{id}/participants": {both, sessionRoute("/training/sessions/%d/participants", enrolForm, nil),
			sessionAccess(http.StatusSeeOther, false, "POST", false), false},
		"GET /training/sessions/{id}/attendance": {both, sessionRoute("/training/sessions/%d/attendance", nil, nil),
			sessionAccess(200, false, "GET", false), false},
		"POST /training/sessions/{id}/attendance": {both, sessionRoute("/training/sessions/%d/attendance", attForm, nil),
			sessionAccess(http.StatusSeeOther, false, "POST", false), false},
		"POST /training/sessions/{id}/scores": {both, sessionRoute("/training/sessions/%d/scores", scoreForm, nil),
			sessionAccess(http.StatusSeeOther, false, "POST", false), false},
		"POST /training/sessions/{id}/certificates": {both, sessionRoute("/training/sessions/%d/certificates", func(trainingFixture) url.Values { return url.Values{} }, nil),
			sessionAccess(http.StatusSeeOther, false, "POST", false), false},
		"GET /training/sessions/{id}/import": {both, sessionRoute("/training/sessions/%d/import", nil, nil),
			sessionAccess(200, false, "GET", false), false},
		"POST /training/sessions/{id}/import": {both, sessionRoute("/training/sessions/%d/import", importForm, nil),
			sessionAccess(http.StatusSeeOther, false, "POST", false), false},
		"GET /training/sessions/{id}/import/template.csv": {both, sessionRoute("/training/sessions/%d/import/template.csv", nil, nil),
			sessionAccess(200, false, "GET", false), false},
		"GET /training/certificates/{id}/pdf": {both, func(m *matrix, target core.User) (string, url.Values, string) {
			return fmt.Sprintf("/training/certificates/%d/pdf", sharedFixture(m.h, target.AgencyID).cert.ID), nil, ""
		}, func(r core.Role, rel relation) int {
			if r == core.RoleTrainer && rel == sameAgency {
				return http.StatusNotFound // sees the session in summary only: the certificate is not found
			}
			return sessionAccess(200, false, "GET", false)(r, rel)
		}, false},
		"POST /training/certificates/{id}/revoke": {both, fresh("/training/certificates/%d/revoke"), func(r core.Role, rel relation) int {
			if r == core.RoleTrainer && rel == sameAgency {
				return http.StatusNotFound
			}
			return sessionAccess(http.StatusSeeOther, false, "POST", false)(r, rel)
		}, false},
		"GET /training/participants": {one, fixed("/training/participants"), ui("GET", 200, 403, programmeRoles), false},
		"GET /training/participants/{id}": {both, func(m *matrix, target core.User) (string, url.Values, string) {
			return fmt.Sprintf("/training/participants/%d", sharedFixture(m.h, target.AgencyID).participant.ID), nil, ""
		}, sessionAccess(200, false, "GET", true), false},
		"GET /training/cascade": {one, fixed("/training/cascade"), ui("GET", 200, 403, reachRoles), false},
		"GET /training/report":  {one, fixed("/training/report"), ui("GET", 200, 403, reachRoles), false},
		"GET /verify":           {one, fixed("/verify"), public200, false},
		"GET /verify/{code}": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return "/verify/" + sharedFixture(m.h, m.h.agencyA.ID).cert.Code, nil, ""
		}, public200, false},

		"GET /api/v1/training/courses": {one, fixed("/api/v1/training/courses"), api(200, 0, everyone), false},
		"POST /api/v1/training/courses": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return "/api/v1/training/courses", nil, fmt.Sprintf(`{"title": "API %d", "language": "es", "min_attendance_pct": 80, "min_post_score": 70, "modules": [{"title": "Uno", "minutes": 60}]}`, m.unique())
		}, api(201, 403, programmeRoles), false},
		"GET /api/v1/training/sessions": {one, fixed("/api/v1/training/sessions"), api(200, 403, programmeRoles), false},
		"POST /api/v1/training/sessions": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			f := sharedFixture(m.h, m.h.agencyA.ID)
			return "/api/v1/training/sessions", nil, fmt.Sprintf(`{"course_id": %d, "starts_on": "2026-04-01", "ends_on": "2026-04-01", "department": "10", "place": "Aula", "trainer_ids": [%d]}`,
				f.course.ID, f.trainer.ID)
		}, api(201, 403, programmeRoles), false},
		"GET /api/v1/training/sessions/{id}": {both, sessionRoute("/api/v1/training/sessions/%d", nil, nil),
			sessionAccess(200, true, "GET", true), false},
		"POST /api/v1/training/sessions/{id}/participants": {both, sessionRoute("/api/v1/training/sessions/%d/participants", nil, func(f trainingFixture) string {
			return fmt.Sprintf(`{"participant": {"agency_id": %d, "name": "Persona API", "department": "10"}}`, f.participant.AgencyID)
		}), sessionAccess(200, true, "POST", false), false},
		"POST /api/v1/training/sessions/{id}/attendance": {both, sessionRoute("/api/v1/training/sessions/%d/attendance", nil, func(f trainingFixture) string {
			return fmt.Sprintf(`{"marks": [{"participant_id": %d, "module_id": %d, "status": "late"}]}`, f.participant.ID, f.course.Modules[0].ID)
		}), sessionAccess(200, true, "POST", false), false},
		"POST /api/v1/training/sessions/{id}/scores": {both, sessionRoute("/api/v1/training/sessions/%d/scores", nil, func(f trainingFixture) string {
			return fmt.Sprintf(`{"scores": [{"participant_id": %d, "pre_score": 40}]}`, f.participant.ID)
		}), sessionAccess(200, true, "POST", false), false},
		"POST /api/v1/training/sessions/{id}/certificates": {both, sessionRoute("/api/v1/training/sessions/%d/certificates", nil, nil),
			sessionAccess(200, true, "POST", false), false},
		"POST /api/v1/training/certificates/{id}/revoke": {both, fresh("/api/v1/training/certificates/%d/revoke"), func(r core.Role, rel relation) int {
			if r == core.RoleTrainer && rel == sameAgency {
				return http.StatusNotFound
			}
			return sessionAccess(200, true, "POST", false)(r, rel)
		}, false},
		"GET /api/v1/training/cascade": {one, fixed("/api/v1/training/cascade"), api(200, 403, reachRoles), false},
		"GET /api/v1/training/report":  {one, fixed("/api/v1/training/report"), api(200, 403, reachRoles), false},
	}
}

// No page or API answer of the training programme shows another agency's participants to
// anyone in agency A, whatever their role.
func TestTrainingNeverShowsAnotherAgencysParticipants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		secret := newTrainingFixture(h, h.agencyB.ID, "secreto BBB")
		own := newTrainingFixture(h, h.agencyA.ID, "propio AAA")
		pages := []string{"/training", "/training/participants", "/training/cascade", "/training/report",
			fmt.Sprintf("/training/sessions/%d", own.session.ID), fmt.Sprintf("/training/sessions/%d/attendance", own.session.ID),
			fmt.Sprintf("/training/sessions/%d", secret.session.ID), fmt.Sprintf("/training/participants/%d", secret.participant.ID),
			"/verify/" + secret.cert.Code}
		apis := []string{"/api/v1/training/sessions", "/api/v1/training/cascade", "/api/v1/training/report",
			fmt.Sprintf("/api/v1/training/sessions/%d", secret.session.ID)}
		for _, role := range core.AllRoles {
			u := h.user(h.agencyA, role)
			c := h.login(u, "/")
			tok := h.token(u)
			check := func(path, body string) {
				if strings.Contains(body, secret.participant.Name) || strings.Contains(body, secret.trainer.Name) {
					t.Errorf("%s as %s shows agency B's participant", path, role)
				}
			}
			for _, p := range pages {
				check(p, h.get(c, p).body)
			}
			for _, p := range apis {
				check(p, h.api("GET", p, tok, "").body)
			}
		}
		// The public page shows initials only.
		r := h.get(h.client(), "/verify/"+secret.cert.Code)
		if r.status != 200 || !strings.Contains(r.body, training.Initials(secret.participant.Name)) || strings.Contains(r.body, secret.participant.Name) {
			t.Errorf("verify page: %d", r.status)
		}
	})
}
