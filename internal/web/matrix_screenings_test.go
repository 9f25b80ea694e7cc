package web_test

import (
	"fmt"
	"net/http"
	"net/url"

	"nanduti/internal/core"
	"nanduti/internal/screening"
)

func init() { matrixCaseSets = append(matrixCaseSets, screeningsMatrixCases) }

// brickKilnDoc is the 15-year-old of the demo story, as an input document: no name, only what
// the inspector observed.
const brickKilnDoc = `{
  "subject": {"age": 15, "sex": "male"},
  "exploitation": "labour",
  "act": ["recruitment", "transport", "harbouring"],
  "indicators": ["dr_nature_job", "dr_education", "ex_excessive_hours", "ex_hazardous", "ex_no_education", "cd_withhold_wages"],
  "work": {
    "economic_hours_per_week": 54,
    "household_chores_hours_per_week": 4,
    "night_work": true,
    "activities": ["brick_kiln"],
    "hazards": ["heavy_loads", "extreme_temperatures_noise_vibration"],
    "worst_forms": [],
    "lives_in_employer_household": true,
    "employer_is_family": false,
    "attends_school": false
  }
}`

// brickKilnForm is the same situation as the web form sends it.
func brickKilnForm() url.Values {
	return url.Values{
		"age": {"15"}, "sex": {"male"}, "exploitation": {"labour"},
		"act":                             {"recruitment", "transport", "harbouring"},
		"indicators":                      {"dr_nature_job", "dr_education", "ex_excessive_hours", "ex_hazardous", "ex_no_education", "cd_withhold_wages"},
		"economic_hours_per_week":         {"54"},
		"household_chores_hours_per_week": {"4"},
		"night_work":                      {"yes"},
		"activities":                      {"brick_kiln"},
		"hazards":                         {"heavy_loads", "extreme_temperatures_noise_vibration"},
		"lives_in_employer_household":     {"yes"},
	}
}

// screensRole: the roles that record screenings (those that may see identities).
var screensRole = roleIs(core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector,
	core.RoleImmigrationOfficer, core.RoleCaseworker)

// readsScreenings: who may read one screening: its agency's officers and administrators.
func readsScreenings(r core.Role, rel relation) bool {
	return rel == sameAgency && (screensRole(r, rel) || r == core.RoleAgencyAdmin)
}

// listsScreenings: the list page and API also answer analysts, with counts only.
func listsScreenings(r core.Role, rel relation) bool {
	return screensRole(r, rel) || r == core.RoleAgencyAdmin || r == core.RoleAnalyst
}

// screeningOf creates a screening as the target user (an investigator of the target's agency)
// and returns its path under prefix.
func screeningOf(prefix string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		actor := core.Actor{UserID: target.ID, AgencyID: target.AgencyID, Roles: target.Roles}
		sc, err := m.h.screenings.CreateDocument(m.h.t.Context(), actor, []byte(brickKilnDoc), screening.Spanish)
		if err != nil {
			m.h.t.Fatalf("screening for the matrix: %v", err)
		}
		return fmt.Sprintf("%s/%d", prefix, sc.ID), nil, ""
	}
}

func screeningsMatrixCases() map[string]matrixCase {
	return map[string]matrixCase{
		"GET /screenings":     {one, fixed("/screenings"), ui("GET", 200, 403, listsScreenings), false},
		"GET /screenings/new": {one, fixed("/screenings/new"), ui("GET", 200, 403, screensRole), false},
		"POST /screenings": {one, func(*matrix, core.User) (string, url.Values, string) {
			return "/screenings", brickKilnForm(), ""
		}, ui("POST", http.StatusSeeOther, 403, screensRole), false},
		"GET /screenings/{id}": {both, screeningOf("/screenings"), ui("GET", 200, 404, readsScreenings), false},

		"POST /api/v1/screenings": {one, func(*matrix, core.User) (string, url.Values, string) {
			return "/api/v1/screenings", nil, brickKilnDoc
		}, api(201, 403, screensRole), false},
		"GET /api/v1/screenings":      {one, fixed("/api/v1/screenings"), api(200, 403, listsScreenings), false},
		"GET /api/v1/screenings/{id}": {both, screeningOf("/api/v1/screenings"), api(200, 404, readsScreenings), false},

		// Unlinking (an empty person number) needs no person, so the matrix tests who may link
		// at all; linking to persons one may or may not see is tested on its own.
		"POST /screenings/{id}/person": {both, withForm(screeningOf("/screenings"), "/person", url.Values{"person_id": {""}}),
			linksScreening(http.StatusSeeOther, http.StatusUnauthorized), false},
		"PUT /api/v1/screenings/{id}/person": {both, withBody(screeningOf("/api/v1/screenings"), "/person", `{"person_id": null}`),
			linksScreening(200, http.StatusUnauthorized), false},
	}
}

// linksScreening: the agency's officers may link its screenings; its administrators may read
// them but not link (403); everyone else is told the screening does not exist.
func linksScreening(ok, anonymous int) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon:
			return anonymous
		case rel == sameAgency && screensRole(r, rel):
			return ok
		case readsScreenings(r, rel):
			return http.StatusForbidden
		default:
			return http.StatusNotFound
		}
	}
}

// withForm appends suffix to the path a request builder returns and sends form with it.
func withForm(build func(*matrix, core.User) (string, url.Values, string), suffix string, form url.Values) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		path, _, _ := build(m, target)
		return path + suffix, form, ""
	}
}

// withBody appends suffix to the path a request builder returns and sends body with it.
func withBody(build func(*matrix, core.User) (string, url.Values, string), suffix, body string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		path, _, _ := build(m, target)
		return path + suffix, nil, body
	}
}
