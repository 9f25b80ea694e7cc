package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"nanduti/internal/cases"
	"nanduti/internal/core"
)

// The cases' access-matrix entries. A case route is tried against five relations between
// the caller's agency (A) and the case: A owns it, B owns it and shares it with A at each
// level, and B owns it without sharing. Each call makes its own case, so that a move or a
// revocation by one caller never changes what the next one sees.

const (
	relOwn         relation = "own agency"
	relStatistical relation = "shared statistical"
	relOperational relation = "shared operational"
	relFull        relation = "shared full"
	relUnshared    relation = "unshared"
)

var caseRelations = []relation{relOwn, relStatistical, relOperational, relFull, relUnshared}

// matrixRoles is how many callers the matrix tries per relation (the anonymous visitor and
// every role), in the order it tries them: a request function counts its calls to know which
// relation it is serving, since the matrix hands it a target user only for the two agency
// relations.
var matrixRoles = len(core.AllRoles) + 1

var caseWorkers = []core.Role{core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector,
	core.RoleImmigrationOfficer, core.RoleCaseworker}

// caseLevel is the level a caller of role has on a case in relation rel.
func caseLevel(role core.Role, rel relation) core.ShareLevel {
	roleCap := core.ShareNone
	switch {
	case slices.Contains(caseWorkers, role):
		roleCap = core.ShareFull
	case role == core.RoleAnalyst:
		roleCap = core.ShareStatistical
	}
	agency := map[relation]core.ShareLevel{relOwn: core.ShareFull, relStatistical: core.ShareStatistical,
		relOperational: core.ShareOperational, relFull: core.ShareFull}[rel]
	if roleCap.AtLeast(agency) {
		return agency
	}
	return roleCap
}

func seesCase(role core.Role, rel relation) bool {
	return caseLevel(role, rel).AtLeast(core.ShareOperational)
}

// caseWant builds the expected statuses of a case route: unseen is not found; seen but not
// allowed is forbidden.
func caseWant(method string, ok int, api bool, may func(core.Role, relation) bool) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon && api:
			return http.StatusUnauthorized
		case r == anon && method == "GET":
			return http.StatusSeeOther
		case r == anon:
			return http.StatusUnauthorized
		case !seesCase(r, rel):
			return http.StatusNotFound
		case may(r, rel):
			return ok
		}
		return http.StatusForbidden
	}
}

func seen(core.Role, relation) bool           { return true }
func prosecutes(r core.Role, _ relation) bool { return r == core.RoleProsecutor }
func ownsCase(r core.Role, rel relation) bool {
	return rel == relOwn && slices.Contains(caseWorkers, r)
}

// fixture makes the records of one call.
type fixture struct {
	m     *matrix
	ctx   context.Context
	owner core.Actor
	c     cases.Case
}

var matrixCaseInput = cases.Input{Title: "Caso de la matriz", Exploitation: []string{"ForcedLabour"}, Department: "10",
	ReportedOn: "2026-01-05", Source: "inspection"}

// newFixture creates a case in relation rel to agency A.
func newFixture(m *matrix, rel relation) *fixture {
	h := m.h
	owner := core.Actor{UserID: 900000, AgencyID: h.agencyB.ID, Roles: []core.Role{core.RoleInvestigator, core.RoleProsecutor}}
	if rel == relOwn {
		owner.AgencyID = h.agencyA.ID
	}
	f := &fixture{m: m, ctx: context.Background(), owner: owner}
	var err error
	if f.c, err = h.cases.Create(f.ctx, owner, matrixCaseInput); err != nil {
		h.t.Fatal(err)
	}
	level := map[relation]core.ShareLevel{relStatistical: core.ShareStatistical, relOperational: core.ShareOperational, relFull: core.ShareFull}[rel]
	if level != core.ShareNone {
		f.must(h.cases.Share(f.ctx, owner, f.c.ID, h.agencyA.ID, level))
	}
	return f
}

func (f *fixture) must(err error) {
	if err != nil {
		f.m.h.t.Fatal(err)
	}
}

func (f *fixture) path(format string, args ...any) string {
	return fmt.Sprintf("/cases/%d"+format, append([]any{f.c.ID}, args...)...)
}

// caseRoute is a case route's request: it counts its calls to know the relation.
func caseRoute(build func(f *fixture) (string, url.Values, string)) func(*matrix, core.User) (string, url.Values, string) {
	calls := 0
	return func(m *matrix, _ core.User) (string, url.Values, string) {
		rel := caseRelations[(calls/matrixRoles)%len(caseRelations)]
		calls++
		return build(newFixture(m, rel))
	}
}

func casePage(tab string) func(*matrix, core.User) (string, url.Values, string) {
	return caseRoute(func(f *fixture) (string, url.Values, string) { return f.path(tab), nil, "" })
}

func casesMatrixCases() map[string]matrixCase {
	post := func(format string, form url.Values) func(*matrix, core.User) (string, url.Values, string) {
		return caseRoute(func(f *fixture) (string, url.Values, string) { return f.path(format), form, "" })
	}
	workers := roleIs(caseWorkers...)
	counters := roleIs(append([]core.Role{core.RoleAnalyst}, caseWorkers...)...)
	getOK := func(core.Role, relation) bool { return true }
	m := map[string]matrixCase{
		"GET /cases":               {one, fixed("/cases"), ui("GET", 200, 403, counters), false},
		"GET /cases/new":           {one, fixed("/cases/new"), ui("GET", 200, 403, workers), false},
		"GET /cases/request":       {one, fixed("/cases/request"), ui("GET", 200, 403, workers), false},
		"GET /cases/tasks/overdue": {one, fixed("/cases/tasks/overdue"), ui("GET", 200, 403, workers), false},
		"GET /referrals":           {one, fixed("/referrals"), ui("GET", 200, 403, workers), false},
		"GET /api/v1/cases":        {one, fixed("/api/v1/cases"), api(200, 403, counters), false},
		"POST /cases/request":      {one, fixedForm("/cases/request", url.Values{"number": {"BBB-2026-0001"}, "reason": {"Causa conexa"}}), ui("POST", 303, 403, workers), false},
		"POST /cases": {one, fixedForm("/cases", url.Values{"title": {"Caso nuevo"}, "exploitation": {"ForcedBegging"}, "department": {"00"},
			"reported_on": {"2026-01-02"}, "source": {"hotline"}}), ui("POST", 303, 403, workers), false},
		"POST /api/v1/cases": {one, func(*matrix, core.User) (string, url.Values, string) {
			return "/api/v1/cases", nil, `{"title": "Caso API", "exploitation": ["Criadazgo"], "department": "00", "reported_on": "2026-01-02", "source": "hotline"}`
		}, api(201, 403, workers), false},
	}
	for _, tab := range []string{"", "/persons", "/events", "/tasks", "/evidence", "/prosecution", "/referrals", "/notes"} {
		pattern := "GET /cases/{id}" + tab
		if tab == "" {
			pattern = "GET /cases/{id}"
		}
		m[pattern] = matrixCase{caseRelations, casePage(tab), caseWant("GET", 200, false, getOK), false}
	}
	m["GET /cases/{id}/sharing"] = matrixCase{caseRelations, casePage("/sharing"), caseWant("GET", 200, false, ownsCase), false}
	m["GET /api/v1/cases/{id}"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		return fmt.Sprintf("/api/v1/cases/%d", f.c.ID), nil, ""
	}), caseWant("GET", 200, true, seen), false}
	m["GET /api/v1/cases/{id}/persons"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		return fmt.Sprintf("/api/v1/cases/%d/persons", f.c.ID), nil, ""
	}), caseWant("GET", 200, true, seen), false}
	m["POST /api/v1/cases/{id}/shares"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		return fmt.Sprintf("/api/v1/cases/%d/shares", f.c.ID), nil, fmt.Sprintf(`{"agency_id": %d, "level": "operational"}`, f.m.h.agencyB.ID)
	}), caseWant("POST", 200, true, ownsCase), false}
	m["DELETE /api/v1/cases/{id}/shares/{agency}"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		other := f.m.h.agencyB.ID
		if f.owner.AgencyID == other {
			other = f.m.h.agencyA.ID
		} else {
			f.must(f.m.h.cases.Share(f.ctx, f.owner, f.c.ID, other, core.ShareOperational))
		}
		return fmt.Sprintf("/api/v1/cases/%d/shares/%d", f.c.ID, other), nil, ""
	}), caseWant("DELETE", 204, true, ownsCase), false}

	facts := url.Values{"version": {"1"}, "title": {"Caso editado"}, "exploitation": {"ForcedLabour"}, "department": {"10"},
		"reported_on": {"2026-01-05"}, "source": {"inspection"}}
	m["POST /cases/{id}"] = matrixCase{caseRelations, post("", facts), caseWant("POST", 303, false, ownsCase), false}
	m["POST /cases/{id}/status"] = matrixCase{caseRelations, post("/status", url.Values{"version": {"1"}, "status": {"screening"}}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/reopen"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		_, err := f.m.h.cases.SetStatus(f.ctx, f.owner, f.c.ID, 1, cases.StatusClosed)
		f.must(err)
		return f.path("/reopen"), url.Values{"version": {"2"}, "reason": {"Nuevos hechos"}}, ""
	}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/persons"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		// A person of the caller's agency (A), whom the caller may put in a case they work on.
		person := dedupePerson(f.m, f.m.h.agencyA.ID)
		return f.path("/persons"), url.Values{"person_id": {fmt.Sprint(person)}, "role": {"witness"}}, ""
	}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/events"] = matrixCase{caseRelations, post("/events", url.Values{"kind": {"Transit"}, "occurred_on": {"2025-12-01"},
		"description": {"Traslado en ómnibus"}}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/tasks"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		return f.path("/tasks"), url.Values{"title": {"Tarea"}, "assigned_agency": {fmt.Sprint(f.owner.AgencyID)}}, ""
	}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/tasks/{tid}"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		t, err := f.m.h.cases.AddTask(f.ctx, f.owner, f.c.ID, cases.TaskInput{Title: "Tarea", AssignedAgencyID: f.owner.AgencyID})
		f.must(err)
		return f.path("/tasks/%d", t.ID), url.Values{"version": {"1"}, "title": {"Tarea"}, "assigned_agency": {fmt.Sprint(f.owner.AgencyID)}, "status": {"done"}}, ""
	}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/evidence"] = matrixCase{caseRelations, post("/evidence", url.Values{"item": {"Cuaderno"}, "collected_by": {"Oficial"},
		"collected_on": {"2026-01-06"}, "holder": {"Depósito"}}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/evidence/{eid}/custody"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		e, err := f.m.h.cases.AddEvidence(f.ctx, f.owner, f.c.ID, cases.EvidenceInput{Item: "Cuaderno", CollectedBy: "Oficial", CollectedOn: "2026-01-06", Holder: "Depósito"})
		f.must(err)
		return f.path("/evidence/%d/custody", e.ID), url.Values{"action": {"transferred"}, "custody_holder": {"Fiscalía"}}, ""
	}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/charges"] = matrixCase{caseRelations, post("/charges", url.Values{"article": {"Ley 4788/2012 art. 5"}, "filed_on": {"2026-01-07"}}),
		caseWant("POST", 303, false, prosecutes), false}
	m["POST /cases/{id}/charges/{cid}/outcome"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		ch, err := f.m.h.cases.AddCharge(f.ctx, f.owner, f.c.ID, cases.ChargeInput{Article: "Ley 4788/2012 art. 5", FiledOn: "2026-01-07"})
		f.must(err)
		return f.path("/charges/%d/outcome", ch.ID), url.Values{"version": {"1"}, "outcome": {"dismissal"}, "outcome_on": {"2026-01-08"}}, ""
	}), caseWant("POST", 303, false, prosecutes), false}
	m["POST /cases/{id}/hearings"] = matrixCase{caseRelations, post("/hearings", url.Values{"held_on": {"2026-01-08"}, "hearing_kind": {"preliminary"},
		"court": {"Juzgado Penal de Garantías"}}), caseWant("POST", 303, false, prosecutes), false}
	m["POST /cases/{id}/shares"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		return f.path("/shares"), url.Values{"agency": {fmt.Sprint(f.m.h.agencyB.ID)}, "level": {"operational"}}, ""
	}), caseWant("POST", 303, false, ownsCase), false}
	m["POST /cases/{id}/shares/{agency}/revoke"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		other := f.m.h.agencyA.ID
		if f.owner.AgencyID == other {
			other = f.m.h.agencyB.ID
			f.must(f.m.h.cases.Share(f.ctx, f.owner, f.c.ID, other, core.ShareOperational))
		}
		return f.path("/shares/%d/revoke", other), url.Values{}, ""
	}), caseWant("POST", 303, false, func(r core.Role, rel relation) bool { return ownsCase(r, rel) }), false}
	m["POST /cases/{id}/requests/{rid}"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		requester := core.Actor{UserID: 900001, AgencyID: f.m.h.agencyB.ID, Roles: []core.Role{core.RoleInvestigator}}
		if f.owner.AgencyID == requester.AgencyID {
			requester.AgencyID = f.m.h.agencyA.ID
		}
		f.must(f.m.h.cases.RequestAccess(f.ctx, requester, f.c.Number, "Causa conexa"))
		sh, err := f.m.h.cases.Sharing(f.ctx, f.owner, f.c.ID)
		f.must(err)
		return f.path("/requests/%d", sh.Requests[0].ID), url.Values{"decision": {"accept"}, "level": {"statistical"}}, ""
	}), caseWant("POST", 303, false, ownsCase), false}
	m["POST /cases/{id}/referrals"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		p, err := f.m.h.cases.AddPerson(f.ctx, f.owner, f.c.ID, cases.PersonInput{PersonID: dedupePerson(f.m, f.owner.AgencyID), Role: "victim"})
		f.must(err)
		return f.path("/referrals"), url.Values{"case_person": {fmt.Sprint(p.ID)}, "service": {"health"}, "outside_service": {"Hospital Regional"},
			"consent": {"given"}}, ""
	}), caseWant("POST", 303, false, seen), false}
	m["POST /cases/{id}/notes"] = matrixCase{caseRelations, post("/notes", url.Values{"body": {"Se coordinó con la fiscalía."}}), caseWant("POST", 303, false, seen), false}
	// Without a key ring no attachment can exist: every caller gets not found, the ones who
	// see the case because the note is not an attachment.
	m["GET /cases/{id}/notes/{nid}"] = matrixCase{caseRelations, caseRoute(func(f *fixture) (string, url.Values, string) {
		n, err := f.m.h.cases.AddNote(f.ctx, f.owner, f.c.ID, 0, cases.NoteCase, []byte("Nota del caso"))
		f.must(err)
		return f.path("/notes/%d", n.ID), nil, ""
	}), func(r core.Role, rel relation) int {
		if r == anon {
			return http.StatusSeeOther
		}
		return http.StatusNotFound
	}, false}

	// Referrals: in relation sameAgency A sends one (a case of A to an outside service); in
	// otherAgency A receives one (a case of B, unshared, referred to A).
	referral := func(target core.User) (cases.Referral, bool) {
		var f *fixture
		in := cases.ReferralInput{Service: "shelter", Consent: "given"}
		receiving := target.AgencyID != targetAgencyA
		if receiving {
			f = newFixture(mref, relUnshared)
			in.ToAgencyID = mref.h.agencyA.ID
		} else {
			f = newFixture(mref, relOwn)
			in.OutsideService = "Hogar externo"
		}
		p, err := f.m.h.cases.AddPerson(f.ctx, f.owner, f.c.ID, cases.PersonInput{PersonID: dedupePerson(f.m, f.owner.AgencyID), Role: "presumed_victim"})
		f.must(err)
		in.CasePersonID = p.ID
		r, err := f.m.h.cases.Refer(f.ctx, f.owner, f.c.ID, in)
		f.must(err)
		return r, receiving
	}
	refWant := func(ok int) func(core.Role, relation) int {
		return func(r core.Role, rel relation) int {
			switch {
			case r == anon && ok == 200:
				return http.StatusSeeOther
			case r == anon:
				return http.StatusUnauthorized
			case slices.Contains(caseWorkers, r):
				return ok
			}
			return http.StatusNotFound
		}
	}
	m["GET /referrals/{rid}"] = matrixCase{both, func(mm *matrix, target core.User) (string, url.Values, string) {
		mref, targetAgencyA = mm, mm.h.agencyA.ID
		r, _ := referral(target)
		return fmt.Sprintf("/referrals/%d", r.ID), nil, ""
	}, refWant(200), false}
	m["POST /referrals/{rid}/status"] = matrixCase{both, func(mm *matrix, target core.User) (string, url.Values, string) {
		mref, targetAgencyA = mm, mm.h.agencyA.ID
		r, receiving := referral(target)
		status := "revoked"
		if receiving {
			status = "accepted"
		}
		return fmt.Sprintf("/referrals/%d/status", r.ID), url.Values{"version": {"1"}, "status": {status}}, ""
	}, refWant(303), false}
	m["POST /referrals/{rid}/follow-ups"] = matrixCase{both, func(mm *matrix, target core.User) (string, url.Values, string) {
		mref, targetAgencyA = mm, mm.h.agencyA.ID
		r, _ := referral(target)
		return fmt.Sprintf("/referrals/%d/follow-ups", r.ID), url.Values{"delivered": {"shelter"}, "note": {"Ingreso"}}, ""
	}, refWant(303), false}
	return m
}

// mref and targetAgencyA carry the matrix to the referral helper, which the matrix calls from
// one goroutine.
var (
	mref          *matrix
	targetAgencyA int64
)

func init() { matrixCaseSets = append(matrixCaseSets, casesMatrixCases) }
