package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"

	"nanduti/internal/core"
	"nanduti/internal/persons"
)

func init() { matrixCaseSets = append(matrixCaseSets, personsMatrixCases) }

// identityRole: the roles that see identities and record persons.
var identityRole = roleIs(core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector,
	core.RoleImmigrationOfficer, core.RoleCaseworker)

// listsPersons: who sees their agency's persons at all (by pseudonym unless identityRole).
var listsPersons = roleIs(core.RoleInvestigator, core.RoleProsecutor, core.RoleLabourInspector,
	core.RoleImmigrationOfficer, core.RoleCaseworker, core.RoleAgencyAdmin, core.RoleAnalyst, core.RoleAuditor)

// seesPerson: a person of the caller's agency, seen at least by pseudonym.
func seesPerson(r core.Role, rel relation) bool { return rel == sameAgency && listsPersons(r, rel) }

// editsPerson: who changes a person, what the others who see them get (403), and everyone
// else (404: the person does not exist for them).
func editsPerson(ok int, anonymous int) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon:
			return anonymous
		case rel == sameAgency && identityRole(r, rel):
			return ok
		case seesPerson(r, rel):
			return http.StatusForbidden
		default:
			return http.StatusNotFound
		}
	}
}

// matrixPNG is a tiny photo for the persons the matrix creates.
func matrixPNG() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	return b.Bytes()
}

// personIn creates a synthetic person in the target user's agency, as its staff would.
func personIn(m *matrix, target core.User) int64 {
	p, err := m.h.persons.Create(context.Background(), core.SystemActor, persons.Input{AgencyID: target.AgencyID,
		Kind: persons.KindVictim, Photo: matrixPNG(),
		Identity: persons.Identity{GivenNames: fmt.Sprintf("Matriz%d", m.unique()), PaternalSurname: "Giménez",
			Document: persons.Document{Type: "ci", Number: fmt.Sprintf("9%06d", m.unique())}}})
	if err != nil {
		m.h.t.Fatal(err)
	}
	return p.ID
}

func personPath(format string, form url.Values, body string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		return fmt.Sprintf(format, personIn(m, target)), form, body
	}
}

func personsMatrixCases() map[string]matrixCase {
	search := url.Values{"by": {"name"}, "q": {"Giménez"}}
	edit := url.Values{"kind": {"victim"}, "given_names": {"Matriz"}, "gender": {"Feminine"}}
	return map[string]matrixCase{
		"GET /persons":         {one, fixed("/persons"), ui("GET", 200, 403, listsPersons), false},
		"GET /persons/new":     {one, fixed("/persons/new"), ui("GET", 200, 403, identityRole), false},
		"POST /persons/search": {one, fixedForm("/persons/search", search), ui("POST", 200, 403, listsPersons), false},
		"POST /persons": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return "/persons", url.Values{"kind": {"witness"}, "given_names": {fmt.Sprintf("Nueva%d", m.unique())}}, ""
		}, ui("POST", http.StatusSeeOther, 403, identityRole), false},
		"GET /persons/{id}":       {both, personPath("/persons/%d", nil, ""), ui("GET", 200, 404, seesPerson), false},
		"GET /persons/{id}/edit":  {both, personPath("/persons/%d/edit", nil, ""), editsPerson(200, http.StatusSeeOther), false},
		"POST /persons/{id}/edit": {both, personPath("/persons/%d/edit", edit, ""), editsPerson(http.StatusSeeOther, http.StatusUnauthorized), false},
		"GET /persons/{id}/photo": {both, personPath("/persons/%d/photo", nil, ""), ui("GET", 200, 404, func(r core.Role, rel relation) bool { return rel == sameAgency && identityRole(r, rel) }), false},
		"GET /api/v1/persons":     {one, fixed("/api/v1/persons"), api(200, 403, listsPersons), false},
		"POST /api/v1/persons/search": {one, func(*matrix, core.User) (string, url.Values, string) {
			return "/api/v1/persons/search", nil, `{"by": "name", "q": "Jiménez"}`
		}, api(200, 403, listsPersons), false},
		"POST /api/v1/persons": {one, func(m *matrix, _ core.User) (string, url.Values, string) {
			return "/api/v1/persons", nil, fmt.Sprintf(`{"kind": "suspect", "identity": {"given_names": "Api%d"}}`, m.unique())
		}, api(201, 403, identityRole), false},
		"GET /api/v1/persons/{id}": {both, personPath("/api/v1/persons/%d", nil, ""), api(200, 404, seesPerson), false},
		"PUT /api/v1/persons/{id}": {both, personPath("/api/v1/persons/%d", nil, `{"kind": "victim", "identity": {"given_names": "Cambio"}}`),
			editsPerson(200, http.StatusUnauthorized), false},
	}
}
