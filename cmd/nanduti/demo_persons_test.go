package main

import (
	"context"
	"strings"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// The demo holds the three persons of the brick-kiln story once however often it runs: the
// boy and the neighbour at the labour ministry, the recruiter at the police, each found by
// document and seen with their identity by their own agency's officer. (What the other agency
// sees of them follows from the demo's cases and their sharing, tested with the cases.)
func TestDemoPersons(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		if code, _, errs := run(t, "", "demo", "--data", dir, "--no-serve"); code != 0 {
			t.Fatalf("demo run %d: %d %q", i+1, code, errs)
		}
	}
	ctx := context.Background()
	a, err := openApp(ctx, &dbConfig{data: dir}, appOptions{demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	officer := func(email string) core.Actor {
		u, err := a.accounts.UserByEmail(ctx, core.SystemActor, email)
		if err != nil {
			t.Fatal(err)
		}
		return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
	}
	inspector, police := officer("inspectora@nanduti.example"), officer("investigador@nanduti.example")
	for _, c := range []struct {
		actor        core.Actor
		document     string
		prefix, name string
	}{
		{inspector, "5.912.004", "V-", "Matías Rodrigo"},
		{inspector, "2.118.305", "R-", "Blanca Lidia"},
		{police, "3.407.118", "S-", "Osvaldo Ramón"},
	} {
		found, err := a.protect.persons.Search(ctx, c.actor, persons.Query{By: persons.SearchByDocument, Text: c.document})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || !strings.HasPrefix(found[0].Pseudonym, c.prefix) || found[0].Identity == nil ||
			found[0].Identity.GivenNames != c.name {
			t.Fatalf("document %s: %d found %+v", c.document, len(found), found)
		}
	}
}
