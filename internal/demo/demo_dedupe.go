package demo

import (
	"context"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
)

// shelterRecordOfTheBoy is the brick-kiln boy as the MINNA shelter recorded him on arrival:
// the same 15-year-old the labour inspector found, typed from what he said, with the
// surnames spelt as they sound (Gimenes, Benites), no cédula at hand and the nickname he gave.
// Invented, like every demo person.
var shelterRecordOfTheBoy = persons.Input{Kind: persons.KindVictim,
	Profile: persons.Profile{Gender: "Masculine", AgeAtIdentification: years(15), Citizenship: []string{"PRY"},
		PrimaryLanguage: "gn", Department: "10", District: "11"},
	Identity: persons.Identity{GivenNames: "Matias", PaternalSurname: "Gimenes", MaternalSurname: "Benites",
		OtherNames: []string{"Mati"}, BirthDate: "2010-08-14",
		Addresses: []string{"Hogar de acogida del MINNA, Ciudad del Este (dirección ficticia)"}}}

// seedDedupe plants the demo's duplicate, MINNA's own record of the brick-kiln boy, and runs
// the dedupe job so that the demo shows a candidate: the shelter's caseworker, who sees the
// labour ministry's record through the case shared with her agency, compares the two; the
// labour inspector is told only that a record in another agency's case may be the boy.
// Both steps are idempotent.
func seedDedupe(ctx context.Context, acc *accounts.Service, s Services) error {
	if s.Dedupe == nil || s.Persons == nil {
		return nil
	}
	actor := core.SystemActor
	minna, err := acc.AgencyByCode(ctx, actor, "MINNA")
	if err != nil {
		return err
	}
	found, err := s.Persons.Search(ctx, actor, persons.Query{By: persons.SearchByName, Text: "Matias Gimenes Benites", AgencyID: minna.ID})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		in := shelterRecordOfTheBoy
		in.AgencyID = minna.ID
		if _, err := s.Persons.Create(ctx, actor, in); err != nil {
			return err
		}
	}
	_, err = s.Dedupe.Run(ctx, actor, dedupe.RunOptions{})
	return err
}
