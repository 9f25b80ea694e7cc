package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// An officer links a screening to a person from the result page and through the API. A person
// the officer may not see reads exactly as a number that names nobody, the typed number stays
// in the form, and the link already saved is kept.
func TestScreeningLinkPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		bg := context.Background()
		c, inspector := signedIn(h, h.agencyB, core.RoleLabourInspector)
		officer := h.user(h.agencyA, core.RoleInvestigator)
		actor := func(u core.User) core.Actor {
			return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, TaskForceID: h.agencyA.TaskForceID, Roles: u.Roles}
		}
		age := 15
		mine, err := h.persons.Create(bg, actor(inspector), persons.Input{Kind: persons.KindVictim,
			Profile:  persons.Profile{Gender: "Masculine", AgeAtIdentification: &age, Department: "10"},
			Identity: persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Villalba"}})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := h.persons.Create(bg, actor(officer), persons.Input{Kind: persons.KindSuspect,
			Profile:  persons.Profile{Gender: "Masculine", Department: "10"},
			Identity: persons.Identity{GivenNames: "Críspulo", PaternalSurname: "Ferreira"}})
		if err != nil {
			t.Fatal(err)
		}
		created := h.post(c, "/screenings", brickKilnForm())
		loc := created.header.Get("Location")
		if created.status != http.StatusSeeOther {
			t.Fatalf("create: %d", created.status)
		}
		page := h.get(c, loc)
		if !strings.Contains(page.body, "Sin vincular") || !strings.Contains(page.body, `id="link-person"`) {
			t.Fatalf("unlinked result page lacks the link form")
		}

		// Link to a person of the officer's own agency.
		r := h.post(c, loc+"/person", url.Values{"person_id": {" " + strconv.FormatInt(mine.ID, 10) + " "}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != loc+"#person" {
			t.Fatalf("link: %d %q", r.status, r.header.Get("Location"))
		}
		page = h.get(c, loc)
		if !strings.Contains(page.body, `href="/persons/`+strconv.FormatInt(mine.ID, 10)+`"`) || !strings.Contains(page.body, `id="unlink-person"`) {
			t.Error("linked result page lacks the person's link or the unlink button")
		}
		if rows := h.auditRows("screening.link_person"); len(rows) != 1 || rows[0].ActorUserID != inspector.ID {
			t.Errorf("link audit: %+v", rows)
		}

		// Another agency's person and a number that names nobody give the same answer, on the
		// same page, with the number kept; the saved link stays.
		var answers []string
		for _, typed := range []string{strconv.FormatInt(theirs.ID, 10), "999999"} {
			r := h.post(c, loc+"/person", url.Values{"person_id": {typed}})
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, "No hay ninguna persona con ese número") ||
				!strings.Contains(r.body, `value="`+typed+`"`) {
				t.Errorf("person %s: %d", typed, r.status)
			}
			if strings.Contains(r.body, "Ferreira") || strings.Contains(r.body, "Críspulo") {
				t.Errorf("person %s: the page names the other agency's person", typed)
			}
			answers = append(answers, strings.ReplaceAll(r.body, `value="`+typed+`"`, `value="N"`))
		}
		if answers[0] != answers[1] {
			a, b := answers[0], answers[1]
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			t.Errorf("another agency's person and a missing person are told apart at %q / %q", a[i:min(len(a), i+80)], b[i:min(len(b), i+80)])
		}
		if r := h.post(c, loc+"/person", url.Values{"person_id": {"siete"}}); r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, "un número entero mayor que 0") {
			t.Errorf("not a number: %d", r.status)
		}
		if page := h.get(c, loc); !strings.Contains(page.body, `href="/persons/`+strconv.FormatInt(mine.ID, 10)+`"`) {
			t.Error("a refused link lost the saved one")
		}

		// The agency's administrator reads the screening but may not link it; another agency
		// is told it does not exist.
		ca, _ := signedIn(h, h.agencyB, core.RoleAgencyAdmin)
		if r := h.post(ca, loc+"/person", url.Values{"person_id": {""}}); r.status != http.StatusForbidden {
			t.Errorf("administrator unlinks: %d", r.status)
		}
		co, _ := signedIn(h, h.agencyA, core.RoleInvestigator)
		if r := h.post(co, loc+"/person", url.Values{"person_id": {strconv.FormatInt(theirs.ID, 10)}}); r.status != http.StatusNotFound {
			t.Errorf("other agency links: %d", r.status)
		}

		// Unlink from the page.
		if r := h.post(c, loc+"/person", url.Values{"person_id": {""}}); r.status != http.StatusSeeOther {
			t.Fatalf("unlink: %d", r.status)
		}
		if page := h.get(c, loc); !strings.Contains(page.body, "Sin vincular") {
			t.Error("unlinked page still shows a person")
		}
		if rows := h.auditRows("screening.unlink_person"); len(rows) != 1 {
			t.Errorf("unlink audit: %d rows", len(rows))
		}

		// The API: link, refuse what may not be linked, unlink with null.
		tok := h.token(inspector)
		api := "/api/v1" + loc + "/person"
		r = h.api("PUT", api, tok, `{"person_id": `+strconv.FormatInt(mine.ID, 10)+`}`)
		var got struct {
			PersonID *int64 `json:"person_id"`
		}
		if err := json.Unmarshal([]byte(r.body), &got); r.status != 200 || err != nil || got.PersonID == nil || *got.PersonID != mine.ID {
			t.Errorf("API link: %d %s", r.status, r.body)
		}
		for body, want := range map[string]string{
			`{"person_id": ` + strconv.FormatInt(theirs.ID, 10) + `}`: "No hay ninguna persona",
			`{"person_id": "7"}`: "un número entero mayor que 0",
			`{"person_id": 0}`:   "un número entero mayor que 0",
			`{}`:                 "un número entero mayor que 0",
			`{"persona": 7}`:     "campo desconocido",
		} {
			r := h.api("PUT", api, tok, body)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, want) {
				t.Errorf("API %s: %d %s", body, r.status, r.body)
			}
			if strings.Contains(r.body, "Ferreira") {
				t.Errorf("API %s names the other agency's person", body)
			}
		}
		if r := h.api("PUT", api, h.token(h.user(h.agencyA, core.RoleInvestigator)), `{"person_id": null}`); r.status != http.StatusNotFound {
			t.Errorf("API other agency: %d", r.status)
		}
		r = h.api("PUT", api, tok, `{"person_id": null}`)
		if err := json.Unmarshal([]byte(r.body), &got); r.status != 200 || err != nil || got.PersonID != nil {
			t.Errorf("API unlink: %d %s", r.status, r.body)
		}
	})
}
