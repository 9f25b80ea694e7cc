package demo

import (
	"context"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// demoPerson is a fictitious person of the demo story and the agency that recorded them.
type demoPerson struct {
	AgencyCode string
	Input      persons.Input
}

func years(n int) *int { return &n }

// demoPersons are the persons of the brick-kiln story: the boy the labour inspector found,
// the neighbour who called the labour ministry, and the recruiter the police identified.
// Names, documents, phones and addresses are invented.
var demoPersons = []demoPerson{
	{"MTESS", persons.Input{Kind: persons.KindVictim,
		Profile: persons.Profile{Gender: "Masculine", AgeAtIdentification: years(15), Citizenship: []string{"PRY"},
			PrimaryLanguage: "gn", Department: "10", District: "11", Vulnerabilities: []string{"Poverty", "Education", "WorkEnvironment"}},
		Identity: persons.Identity{GivenNames: "Matías Rodrigo", PaternalSurname: "Giménez", MaternalSurname: "Benítez",
			OtherNames: []string{"Mati"}, BirthDate: "2010-08-14",
			Document:  persons.Document{Type: "ci", Number: "5.912.004", Country: "PRY"},
			Addresses: []string{"Compañía Kilómetro 20, Minga Guazú (dirección ficticia)"}}}},
	{"MTESS", persons.Input{Kind: persons.KindReporter,
		Profile: persons.Profile{Gender: "Feminine", AgeAtIdentification: years(52), Citizenship: []string{"PRY"},
			PrimaryLanguage: "gn", Department: "10", District: "11"},
		Identity: persons.Identity{GivenNames: "Blanca Lidia", PaternalSurname: "Acosta", MaternalSurname: "Ñamandú",
			Document: persons.Document{Type: "ci", Number: "2.118.305", Country: "PRY"},
			Phones:   []string{"0975 300 118"}}}},
	{"PN", persons.Input{Kind: persons.KindSuspect,
		Profile: persons.Profile{Gender: "Masculine", AgeAtIdentification: years(43), Citizenship: []string{"PRY"},
			PrimaryLanguage: "es", Department: "10", District: "01"},
		Identity: persons.Identity{GivenNames: "Osvaldo Ramón", PaternalSurname: "Jiménez", MaternalSurname: "Ríos",
			OtherNames: []string{"Don Osvaldo", "Karaí Osva"},
			Document:   persons.Document{Type: "ci", Number: "3.407.118", Country: "PRY"},
			Phones:     []string{"0983 200 417"},
			Addresses:  []string{"Barrio Boquerón, Ciudad del Este (dirección ficticia)"}}}},
}

// seedPersons records the demo persons that are missing: a person is there when a search of
// their agency by their document number finds them.
func seedPersons(ctx context.Context, acc *accounts.Service, ps *persons.Service) error {
	actor := core.SystemActor
	for _, dp := range demoPersons {
		a, err := acc.AgencyByCode(ctx, actor, dp.AgencyCode)
		if err != nil {
			return err
		}
		found, err := ps.Search(ctx, actor, persons.Query{By: persons.SearchByDocument, Text: dp.Input.Identity.Document.Number, AgencyID: a.ID})
		if err != nil {
			return err
		}
		if len(found) > 0 {
			continue
		}
		in := dp.Input
		in.AgencyID = a.ID
		if _, err := ps.Create(ctx, actor, in); err != nil {
			return err
		}
	}
	return nil
}
