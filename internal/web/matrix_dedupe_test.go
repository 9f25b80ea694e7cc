package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
)

func init() { matrixCaseSets = append(matrixCaseSets, dedupeMatrixCases) }

// dedupePerson records a synthetic person in the agency, as its staff would.
func dedupePerson(m *matrix, agencyID int64) int64 {
	p, err := m.h.persons.Create(context.Background(), core.SystemActor, persons.Input{AgencyID: agencyID, Kind: persons.KindVictim,
		Identity: persons.Identity{GivenNames: fmt.Sprintf("Duplo%d", m.unique()), PaternalSurname: "Benítez", BirthDate: "2010-08-14"}})
	if err != nil {
		m.h.t.Fatal(err)
	}
	return p.ID
}

// dedupeCandidate stores a candidate of two persons as the job would, merged (confirmed by
// byUser) when confirmed is set, and returns its id.
func dedupeCandidate(m *matrix, a, b int64, confirmed bool, byUser int64) int64 {
	ctx := context.Background()
	if a > b {
		a, b = b, a
	}
	now := m.h.accounts.Now()
	c := dedupe.Candidate{PersonA: a, PersonB: b, Weight: 21.5, Levels: []int8{3, 2, 3, -1, -1, 1, 1}, Status: dedupe.StatusOpen,
		FoundAt: now, UpdatedAt: now}
	err := m.h.db.Dedupe().Write(ctx, func(tx dedupe.Tx) error {
		if confirmed {
			mg := dedupe.Merge{PersonID: b, CanonicalPersonID: a, ConfirmedBy: byUser, ConfirmedAt: now}
			if err := tx.InsertPersonMerge(ctx, &mg); err != nil {
				return err
			}
			c.Status, c.MergeID, c.DecidedBy, c.DecidedAt = dedupe.StatusConfirmed, mg.ID, byUser, now
		}
		return tx.InsertDedupeCandidate(ctx, &c)
	})
	if err != nil {
		m.h.t.Fatal(err)
	}
	return c.ID
}

// dedupeIn builds a request on a candidate whose two persons belong to the target's agency:
// both records visible to the staff of agency A who see persons (sameAgency), neither to
// anyone of A (otherAgency).
func dedupeIn(format string, confirmed bool, form url.Values, body string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		id := dedupeCandidate(m, dedupePerson(m, target.AgencyID), dedupePerson(m, target.AgencyID), confirmed, target.ID)
		return fmt.Sprintf(format, id), form, body
	}
}

// dedupeOneSide builds a request on a candidate of which agency A's staff see one record
// (sameAgency: one person in A, the other in B) or none (otherAgency: both in B).
func dedupeOneSide(format string, form url.Values, body string) func(*matrix, core.User) (string, url.Values, string) {
	return func(m *matrix, target core.User) (string, url.Values, string) {
		a := dedupePerson(m, target.AgencyID)
		b := dedupePerson(m, m.h.agencyB.ID)
		return fmt.Sprintf(format, dedupeCandidate(m, a, b, false, target.ID)), form, body
	}
}

// dedupeDecides: identity roles of the agency that holds both records decide (ok); the others
// who see persons see the pair but may not decide (403); everyone else finds nothing (404).
func dedupeDecides(ok int, anonymous int) func(core.Role, relation) int {
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

// dedupeSees: those who see persons see a pair of their agency's records; nobody of A sees a
// pair of B's.
func dedupeSees(ok int, anonymous int) func(core.Role, relation) int {
	return func(r core.Role, rel relation) int {
		switch {
		case r == anon:
			return anonymous
		case seesPerson(r, rel):
			return ok
		default:
			return http.StatusNotFound
		}
	}
}

// dedupeRequests: with one record visible, those who work cases ask for access (ok), the
// other roles that see persons may not (403); with none visible, nothing is found (404).
func dedupeRequests(ok int, anonymous int) func(core.Role, relation) int {
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

func dedupeMatrixCases() map[string]matrixCase {
	confirm := url.Values{"canonical": {"rule"}}
	return map[string]matrixCase{
		"GET /dedupe":      {one, fixed("/dedupe"), ui("GET", 200, 403, listsPersons), false},
		"GET /dedupe/{id}": {both, dedupeIn("/dedupe/%d", false, nil, ""), dedupeSees(200, http.StatusSeeOther), false},
		"POST /dedupe/{id}/confirm": {both, dedupeIn("/dedupe/%d/confirm", false, confirm, ""),
			dedupeDecides(http.StatusSeeOther, http.StatusUnauthorized), false},
		"POST /dedupe/{id}/reject": {both, dedupeIn("/dedupe/%d/reject", false, url.Values{}, ""),
			dedupeDecides(http.StatusSeeOther, http.StatusUnauthorized), false},
		"POST /dedupe/{id}/undo": {both, dedupeIn("/dedupe/%d/undo", true, url.Values{}, ""),
			dedupeDecides(http.StatusSeeOther, http.StatusUnauthorized), false},
		"POST /dedupe/{id}/request-access": {both, dedupeOneSide("/dedupe/%d/request-access", url.Values{}, ""),
			dedupeRequests(http.StatusSeeOther, http.StatusUnauthorized), false},

		"GET /api/v1/dedupe/candidates": {one, fixed("/api/v1/dedupe/candidates"), api(200, 403, listsPersons), false},
		"GET /api/v1/dedupe/candidates/{id}": {both, dedupeIn("/api/v1/dedupe/candidates/%d", false, nil, ""),
			dedupeSees(200, http.StatusUnauthorized), false},
		"POST /api/v1/dedupe/candidates/{id}/confirm": {both, dedupeIn("/api/v1/dedupe/candidates/%d/confirm", false, nil, `{"canonical_person_id": 0}`),
			dedupeDecides(200, http.StatusUnauthorized), false},
		"POST /api/v1/dedupe/candidates/{id}/reject": {both, dedupeIn("/api/v1/dedupe/candidates/%d/reject", false, nil, ""),
			dedupeDecides(200, http.StatusUnauthorized), false},
		"POST /api/v1/dedupe/candidates/{id}/undo": {both, dedupeIn("/api/v1/dedupe/candidates/%d/undo", true, nil, ""),
			dedupeDecides(200, http.StatusUnauthorized), false},
		"POST /api/v1/dedupe/candidates/{id}/request-access": {both, dedupeOneSide("/api/v1/dedupe/candidates/%d/request-access", nil, ""),
			dedupeRequests(200, http.StatusUnauthorized), false},
	}
}
