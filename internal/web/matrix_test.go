package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/web"
)

// The access matrix: every registered route, driven as every role of agency A and as an
// anonymous visitor, against records of agency A and of agency B. Each route states the
// status each caller must get; a route without an entry fails the test, so a new endpoint
// cannot be added without deciding who may use it.

const anon core.Role = "" // the anonymous visitor

type relation string

const (
	sameAgency  relation = "same agency"
	otherAgency relation = "other agency"
	noRecord    relation = "-"
)

// matrixCase is how to call one route and what each caller gets.
type matrixCase struct {
	relations []relation // which targets to try; noRecord for routes without one
	// request builds the path and form (form nil for GET/DELETE) for a target user id.
	request func(m *matrix, target core.User) (path string, form url.Values, body string)
	// want returns the expected status for a role (anon for anonymous) and relation.
	want func(role core.Role, rel relation) int
	// freshSession marks routes that end the caller's sessions, so each call is made by a new
	// user of the same role.
	freshSession bool
}

type matrix struct {
	h      *harness
	n      int
	tokens map[core.Role]string
	// victimToken belongs to a bystander: nobody else may revoke it.
	victimTokenID int64
}

func (m *matrix) unique() int { m.n++; return m.n }

func only(status int, roles ...core.Role) func(core.Role, relation) int {
	return func(r core.Role, _ relation) int {
		for _, x := range roles {
			if r == x {
				return status
			}
		}
		return -1
	}
}

// ui expectations: allowed roles get ok; other signed-in users get denied; anonymous GETs are
// sent to the login page and anonymous POSTs refused.
func ui(method string, ok, denied int, allowed func(core.Role, relation) bool) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon && method == "GET":
			return http.StatusSeeOther
		case r == anon:
			return http.StatusUnauthorized
		case allowed(r, rel):
			return ok
		default:
			return denied
		}
	}
}

func api(ok, denied int, allowed func(core.Role, relation) bool) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon:
			return http.StatusUnauthorized
		case allowed(r, rel):
			return ok
		default:
			return denied
		}
	}
}

func everyone(core.Role, relation) bool { return true }
func roleIs(roles ...core.Role) func(core.Role, relation) bool {
	return func(r core.Role, _ relation) bool {
		for _, x := range roles {
			if r == x {
				return true
			}
		}
		return false
	}
}

// managesTarget: system admins manage everyone; agency admins their own agency's staff.
func managesTarget(r core.Role, rel relation) bool {
	return r == core.RoleSystemAdmin || (r == core.RoleAgencyAdmin && rel == sameAgency)
}

func fixed(path string) func(*matrix, core.User) (string, url.Values, string) {
	return func(*matrix, core.User) (string, url.Values, string) { return path, nil, "" }
}

func fixedForm(path string, form url.Values) func(*matrix, core.User) (string, url.Values, string) {
	return func(*matrix, core.User) (string, url.Values, string) { return path, form, "" }
}

func userPath(format string, form url.Values) func(*matrix, core.User) (string, url.Values, string) {
	return func(_ *matrix, u core.User) (string, url.Values, string) { return fmt.Sprintf(format, u.ID), form, "" }
}

var one = []relation{noRecord}
var both = []relation{sameAgency, otherAgency}

// matrixCaseSets holds every module's entries. A module's test file adds its set with
// func init() { matrixCaseSets = append(matrixCaseSets, personsMatrixCases) }; its request
// functions create the records they need in target.AgencyID (agency A for sameAgency, B for
// otherAgency), as the target user would.
var matrixCaseSets = []func() map[string]matrixCase{coreMatrixCases}

func matrixCases() map[string]matrixCase {
	all := map[string]matrixCase{}
	for _, set := range matrixCaseSets {
		for k, v := range set() {
			if _, dup := all[k]; dup {
				panic("access matrix: route " + k + " has two entries")
			}
			all[k] = v
		}
	}
	return all
}

func coreMatrixCases() map[string]matrixCase {
	public200 := func(core.Role, relation) int { return 200 }
	return map[string]matrixCase{
		"GET /static/":             {one, fixed("/static/app.css"), public200, false},
		"GET /healthz":             {one, fixed("/healthz"), public200, false},
		"GET /metrics":             {one, fixed("/metrics"), public200, false},
		"GET /api/v1/openapi.json": {one, fixed("/api/v1/openapi.json"), public200, false},
		"GET /login": {one, fixed("/login"), func(r core.Role, _ relation) int {
			if r == anon {
				return 200
			}
			return http.StatusSeeOther // already signed in: home
		}, false},
		"POST /login": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			// A new address each time: the same one would be locked out after five tries.
			return "/login", url.Values{"email": {fmt.Sprintf("nadie%d@prueba.example", m.unique())}, "password": {"wrong password"}}, ""
		},
			func(core.Role, relation) int { return http.StatusUnauthorized }, true},
		"POST /language": {one, fixedForm("/language", url.Values{"lang": {"en"}, "back": {"/"}}),
			func(core.Role, relation) int { return http.StatusSeeOther }, false},
		"GET /{$}":                 {one, fixed("/"), ui("GET", 200, 0, everyone), false},
		"GET /login/second-factor": {one, fixed("/login/second-factor"), ui("GET", http.StatusSeeOther, 0, everyone), false},
		"POST /login/second-factor": {one, fixedForm("/login/second-factor", url.Values{"code": {"123456"}}),
			ui("POST", http.StatusBadRequest, 0, everyone), false},
		"GET /account/second-factor": {one, fixed("/account/second-factor"), ui("GET", 200, 0, everyone), false},
		"POST /account/second-factor": {one, fixedForm("/account/second-factor", url.Values{"code": {"000000"}}),
			ui("POST", http.StatusBadRequest, 0, everyone), false},
		"POST /logout":            {one, fixedForm("/logout", url.Values{}), ui("POST", http.StatusSeeOther, 0, everyone), true},
		"POST /logout/everywhere": {one, fixedForm("/logout/everywhere", url.Values{}), ui("POST", http.StatusSeeOther, 0, everyone), true},
		"GET /account":            {one, fixed("/account"), ui("GET", 200, 0, everyone), false},
		"POST /account/password": {one, fixedForm("/account/password", url.Values{"current_password": {"not it at all"},
			"new_password": {"a brand new password"}, "confirm_password": {"a brand new password"}}),
			ui("POST", http.StatusBadRequest, 0, everyone), false},
		"POST /account/tokens": {one, fixedForm("/account/tokens", url.Values{"name": {"matriz"}}), ui("POST", 200, 0, everyone), false},
		"POST /account/tokens/{id}/revoke": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return fmt.Sprintf("/account/tokens/%d/revoke", m.victimTokenID), url.Values{}, ""
		}, ui("POST", 0, http.StatusNotFound, func(core.Role, relation) bool { return false }), false},
		"GET /admin/agencies": {one, fixed("/admin/agencies"), ui("GET", 200, 403, roleIs(core.RoleSystemAdmin)), false},
		"POST /admin/agencies": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return "/admin/agencies", url.Values{"code": {fmt.Sprintf("M%d", m.unique())}, "name": {"Matriz"}, "kind": {"other"}}, ""
		}, ui("POST", http.StatusSeeOther, 403, roleIs(core.RoleSystemAdmin)), false},
		"GET /admin/users":     {one, fixed("/admin/users"), ui("GET", 200, 403, roleIs(core.RoleSystemAdmin, core.RoleAgencyAdmin)), false},
		"GET /admin/users/new": {one, fixed("/admin/users/new"), ui("GET", 200, 403, roleIs(core.RoleSystemAdmin, core.RoleAgencyAdmin)), false},
		"POST /admin/users": {both, func(m *matrix, target core.User) (string, url.Values, string) {
			return "/admin/users", url.Values{"agency": {fmt.Sprint(target.AgencyID)}, "email": {fmt.Sprintf("nuevo%d@prueba.example", m.unique())},
				"name": {"Nueva Persona"}, "roles": {"analyst"}, "password": {"a long enough password"}}, ""
		}, ui("POST", http.StatusSeeOther, 403, managesTarget), false},
		"GET /admin/users/{id}": {both, userPath("/admin/users/%d", nil), ui("GET", 200, 404, managesTarget), false},
		"POST /admin/users/{id}/disable": {both, userPath("/admin/users/%d/disable", url.Values{}),
			ui("POST", http.StatusSeeOther, 404, managesTarget), false},
		"POST /admin/users/{id}/enable": {both, userPath("/admin/users/%d/enable", url.Values{}),
			ui("POST", http.StatusSeeOther, 404, managesTarget), false},
		"POST /admin/users/{id}/roles": {both, userPath("/admin/users/%d/roles", url.Values{"roles": {"analyst"}}),
			ui("POST", http.StatusSeeOther, 404, managesTarget), false},
		"POST /admin/users/{id}/reset-second-factor": {both, userPath("/admin/users/%d/reset-second-factor", url.Values{}),
			ui("POST", http.StatusSeeOther, 404, managesTarget), false},
		"GET /audit": {one, fixed("/audit"), ui("GET", 200, 403, roleIs(core.RoleAuditor)), false},

		"GET /api/v1/me":       {one, fixed("/api/v1/me"), api(200, 0, everyone), false},
		"GET /api/v1/agencies": {one, fixed("/api/v1/agencies"), api(200, 0, everyone), false},
		"POST /api/v1/agencies": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return "/api/v1/agencies", nil, fmt.Sprintf(`{"code": "API%d", "name": "Matriz", "kind": "ngo"}`, m.unique())
		}, api(201, 403, roleIs(core.RoleSystemAdmin)), false},
		"GET /api/v1/users": {one, fixed("/api/v1/users"), api(200, 403, roleIs(core.RoleSystemAdmin, core.RoleAgencyAdmin)), false},
		"POST /api/v1/users": {both, func(m *matrix, target core.User) (string, url.Values, string) {
			return "/api/v1/users", nil, fmt.Sprintf(`{"agency_id": %d, "email": "api%d@prueba.example", "name": "API", "roles": ["trainer"], "password": "a long enough password"}`,
				target.AgencyID, m.unique())
		}, api(201, 403, managesTarget), false},
		"GET /api/v1/users/{id}":          {both, userPath("/api/v1/users/%d", nil), api(200, 404, managesTarget), false},
		"POST /api/v1/users/{id}/disable": {both, userPath("/api/v1/users/%d/disable", nil), api(200, 404, managesTarget), false},
		"POST /api/v1/users/{id}/enable":  {both, userPath("/api/v1/users/%d/enable", nil), api(200, 404, managesTarget), false},
		"GET /api/v1/tokens":              {one, fixed("/api/v1/tokens"), api(200, 0, everyone), false},
		"DELETE /api/v1/tokens/{id}": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return fmt.Sprintf("/api/v1/tokens/%d", m.victimTokenID), nil, ""
		}, api(0, 404, func(core.Role, relation) bool { return false }), false},
		"GET /api/v1/audit": {one, fixed("/api/v1/audit"), api(200, 403, roleIs(core.RoleAuditor)), false},
	}
}

func TestAccessMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		m := &matrix{h: h, tokens: map[core.Role]string{}}
		cases := matrixCases()
		for _, r := range h.server.Routes() {
			if _, ok := cases[r.Pattern]; !ok {
				t.Errorf("route %q has no access-matrix entry: decide who may use it and add it", r.Pattern)
			}
		}
		registered := map[string]bool{}
		for _, r := range h.server.Routes() {
			registered[r.Pattern] = true
		}
		for p := range cases {
			if !registered[p] {
				t.Errorf("access-matrix entry %q matches no route", p)
			}
		}

		// A bystander in agency B whose token and details nobody in A may reach.
		bystander := h.user(h.agencyB, core.RoleAnalyst)
		plain := h.token(bystander)
		_ = plain
		toks, _ := h.accounts.ListTokens(t.Context(), core.Actor{UserID: bystander.ID, AgencyID: bystander.AgencyID})
		m.victimTokenID = toks[0].ID

		callers := map[core.Role]core.User{}
		for _, role := range core.AllRoles {
			callers[role] = h.user(h.agencyA, role)
			m.tokens[role] = h.token(callers[role])
		}
		sessions := map[core.Role]*http.Client{}
		for role, u := range callers {
			sessions[role] = h.login(u, "/")
		}
		roles := append([]core.Role{anon}, core.AllRoles...)
		for pattern, c := range cases {
			method, _, _ := strings.Cut(pattern, " ")
			isAPI := strings.Contains(pattern, "/api/v1/") && pattern != "GET /api/v1/openapi.json"
			for _, rel := range c.relations {
				for _, role := range roles {
					var target core.User
					switch rel {
					case sameAgency:
						target = h.user(h.agencyA, core.RoleInvestigator)
					case otherAgency:
						target = h.user(h.agencyB, core.RoleInvestigator)
					}
					path, form, body := c.request(m, target)
					want := c.want(role, rel)
					var r response
					if isAPI {
						r = h.api(method, path, m.tokens[role], body)
					} else {
						client := h.client()
						if role != anon {
							client = sessions[role]
							if c.freshSession {
								// A user of its own: logging out everywhere ends every session of the user.
								client = h.login(h.user(h.agencyA, role), "/")
							}
						}
						r = h.do(client, method, path, form, nil)
					}
					if r.status != want {
						t.Errorf("%s as %q (%s): status %d, want %d", pattern, role, rel, r.status, want)
					}
					// Nothing of agency B's staff leaks to agency A, except to system admins.
					if role != core.RoleSystemAdmin && (strings.Contains(r.body, bystander.Email) ||
						(rel == otherAgency && strings.Contains(r.body, target.Email))) {
						t.Errorf("%s as %q (%s): response shows another agency's user", pattern, role, rel)
					}
				}
			}
		}
	})
}

// Routes must be reachable only through the access levels the server declares.
func TestEveryRouteHasAnAccessLevel(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{})
	for _, r := range h.server.Routes() {
		if strings.HasPrefix(r.Pattern, "GET /api/v1/") || strings.HasPrefix(r.Pattern, "POST /api/v1/") || strings.HasPrefix(r.Pattern, "DELETE /api/v1/") {
			if r.Access != web.APIToken && r.Pattern != "GET /api/v1/openapi.json" {
				t.Errorf("API route %s is not token-only", r.Pattern)
			}
		}
	}
}
