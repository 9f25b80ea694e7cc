package persons_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/linkage"
	"nanduti/internal/persons"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// The recognised features of the boy, written by hand as docs/linkage.md's normalisation says.
func TestLinkageValue(t *testing.T) {
	in := boy()
	for feature, want := range map[string]string{
		"given_name": "anatolio ysapy", "surname": "gimenez benitez", "paternal_surname": "gimenez",
		"maternal_surname": "benitez", "date_of_birth": "20101102", "birth_year": "2010", "sex": "m",
		"gender": "masculine", "document": "4812377", "street_number": "",
	} {
		if got := persons.LinkageValue(feature, in.Identity, in.Profile); got != want {
			t.Errorf("%s = %q, want %q", feature, got, want)
		}
	}
	none := persons.Identity{}
	for _, c := range []struct {
		feature string
		p       persons.Profile
		want    string
	}{
		{"birth_year", persons.Profile{BirthYear: 1990}, "1990"},
		{"birth_year", persons.Profile{}, ""},
		{"date_of_birth", persons.Profile{BirthYear: 1990}, ""},
		{"sex", persons.Profile{Gender: "TransgenderMasculine"}, ""},
		{"gender", persons.Profile{Gender: "TransgenderMasculine"}, "transgendermasculine"},
		{"gender", persons.Profile{Gender: "NonSpecifiedUnknown"}, ""},
		{"sex", persons.Profile{Gender: "Feminine"}, "f"},
	} {
		if got := persons.LinkageValue(c.feature, none, c.p); got != c.want {
			t.Errorf("%s of %+v = %q, want %q", c.feature, c.p, got, c.want)
		}
	}
}

func linkageSchema(t *testing.T, features string) *linkage.Schema {
	t.Helper()
	s, err := linkage.ParseSchema(strings.NewReader(`{"version": 3, "clkConfig": {"l": 256, "kdf": {"type": "HKDF"}},
		"features": [` + features + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const linkageNameFeature = `{"identifier": "%s", "format": {"type": "string"},
	"hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 10}}}`

func feature(id string) string { return strings.Replace(linkageNameFeature, "%s", id, 1) }

// OpenForLinkage streams the agency's own persons in id order across pages, none of another
// agency nor any created after the call; it audits once, before opening anything, and refuses
// those who do not see identities and schemas it cannot fill, auditing nothing then.
func TestOpenForLinkage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inspector := actor(f.agencyA, core.RoleLabourInspector)
		officer := actor(f.agencyB, core.RoleInvestigator)
		var mine []int64
		for i, given := range []string{"Ana", "Bruno", "Carla", "Darío", "Elsa", "Fermín", "Gladys"} {
			who := inspector
			if i == 1 || i == 4 {
				who = officer
			}
			p, err := f.svc.Create(ctx, who, persons.Input{Kind: persons.KindVictim,
				Identity: persons.Identity{GivenNames: given, PaternalSurname: "Prueba"}})
			if err != nil {
				t.Fatal(err)
			}
			if who.AgencyID == f.agencyA.ID {
				mine = append(mine, p.ID)
			}
		}
		schema := linkageSchema(t, `{"identifier": "rec_id", "ignored": true}, `+feature("given_name"))
		for _, a := range []core.Actor{core.SystemActor, actor(f.agencyA, core.RoleAnalyst), actor(f.agencyA, core.RoleAgencyAdmin),
			actor(f.agencyA, core.RoleSystemAdmin), actor(f.agencyA, core.RoleAuditor)} {
			if _, err := f.svc.OpenForLinkage(ctx, a, persons.LinkageRequest{Schema: schema, Fingerprint: "sha256:x"}); !core.Is(err, core.Forbidden) {
				t.Errorf("%v: %v, want forbidden", a.Roles, err)
			}
		}
		if _, err := f.svc.OpenForLinkage(ctx, inspector, persons.LinkageRequest{Schema: linkageSchema(t, feature("nickname")),
			Fingerprint: "sha256:x"}); !core.Is(err, core.Invalid) || !strings.Contains(errors.Unwrap(err).Error(), `"nickname"`) {
			t.Errorf("an unknown feature: %v", err)
		}
		if n := len(f.actions(t, persons.ActionLinkageEncode)); n != 0 {
			t.Fatalf("%d rows audited for refused encodings", n)
		}

		rows, err := f.svc.OpenForLinkage(ctx, inspector, persons.LinkageRequest{Schema: schema, Fingerprint: "sha256:abc", PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		audited := f.actions(t, persons.ActionLinkageEncode)
		if len(audited) != 1 || audited[0].ActorUserID != inspector.UserID || audited[0].ObjectID != "sha256:abc" ||
			audited[0].ObjectType != persons.ObjectLinkageSchema || audited[0].ObjectAgencyID != f.agencyA.ID ||
			!slices.Equal(audited[0].Fields, []string{"given_names", "persons=5"}) {
			t.Errorf("audit before opening: %+v", audited)
		}
		if n := len(f.actions(t, persons.ActionIdentityRead)); n != 0 {
			t.Errorf("%d person.identity.read rows: the encoding is audited as one", n)
		}
		// Created after the call: not part of this encoding.
		if _, err := f.svc.Create(ctx, inspector, persons.Input{Kind: persons.KindVictim, Identity: persons.Identity{GivenNames: "Tardío"}}); err != nil {
			t.Fatal(err)
		}
		var names []string
		for {
			values, n, err := rows.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != len(names)+1 || len(values) != 2 || values[0] != "" {
				t.Errorf("row %d: %d %q", len(names)+1, n, values)
			}
			names = append(names, values[1])
		}
		if want := []string{"ana", "carla", "dario", "fermin", "gladys"}; !slices.Equal(names, want) || rows.Count != 5 {
			t.Errorf("encoded %q (count %d), want %q", names, rows.Count, want)
		}
		if !slices.Equal(rows.IDs(), mine) {
			t.Errorf("ids %v, want %v", rows.IDs(), mine)
		}
	})
}

func TestLinkageColumns(t *testing.T) {
	for _, c := range []struct{ features, want string }{
		{feature("given_name") + `, {"identifier": "street", "ignored": true}`, ""},
		{feature("postcode"), `feature 1 ("postcode") is not one the database can fill; rename it to one of given_name, surname, paternal_surname, maternal_surname, date_of_birth, birth_year, sex, gender, document`},
		{`{"identifier": "document", "format": {"type": "date", "format": "%Y%m%d"},
			"hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 10}}}`, "only date_of_birth is a date"},
		{`{"identifier": "date_of_birth", "format": {"type": "date", "format": "%y-%m-%d"},
			"hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 10}}}`, "may use only %Y, %m and %d"},
		{`{"identifier": "date_of_birth", "format": {"type": "date", "format": "%Y-%m-%d %%"},
			"hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 10}}}`, ""},
	} {
		_, err := persons.LinkageColumns(linkageSchema(t, c.features))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.features, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.features, err, c.want)
		}
	}
}
