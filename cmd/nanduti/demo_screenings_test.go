package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/demo"
	"nanduti/internal/screening"
	"nanduti/internal/screenings"
	"nanduti/internal/store"
)

// The demo holds the labour inspector's two brick-kiln screenings, once however often it runs,
// and each reproduces from its stored input and rulebook version.
func TestDemoScreenings(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		if code, _, errs := run(t, "", "demo", "--data", dir, "--no-serve"); code != 0 {
			t.Fatalf("demo run %d: %d %q", i+1, code, errs)
		}
	}
	ctx := context.Background()
	db, u := openDemoOfficer(t, dir)
	svc, err := screenings.New(db.Screenings(), screenings.Config{})
	if err != nil {
		t.Fatal(err)
	}
	officer := core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
	l, err := svc.List(ctx, officer, screenings.Page{})
	if err != nil {
		t.Fatal(err)
	}
	want := []screenings.Outcomes{ // newest first
		{Trafficking: "not_indicated", ForcedLabour: "not_indicated", ChildLabour: "child_labour"},
		{Trafficking: "indicated", ForcedLabour: "indicated", ChildLabour: "child_labour"},
	}
	if len(l.Screenings) != len(want) {
		t.Fatalf("demo has %d screenings after two runs, want %d", len(l.Screenings), len(want))
	}
	for i, s := range l.Screenings {
		if s.Outcomes != want[i] || s.OfficerID != u.ID {
			t.Errorf("screening %d: %+v", s.ID, s)
		}
		rep, err := svc.Reproduce(ctx, officer, s.ID)
		if err != nil || !rep.Same {
			t.Errorf("screening %d does not reproduce: %v", s.ID, err)
		}
	}
}

// A deployment serves with its own rulebook: new screenings are judged and stored by it, a
// malformed file stops the start with its file, line and reason, and the stored screenings
// still reproduce once that version is only in the archive.
func TestServeWithDeploymentRules(t *testing.T) {
	dir := t.TempDir()
	rules := screenTempFile(t, "cde.json", cdeRules)
	bad := screenTempFile(t, "bad.json", "{\n  \"id\": \"py-2026-cde\",\n  \"version\": \"4\",\n  \"extends\": \"py-2026\",\n  \"colour\": 1\n}\n")
	for _, args := range [][]string{{"--rules", bad}, {"--rules", rules, "--rules-archive", bad}} {
		code, _, errs := run(t, "", append([]string{"demo", "--data", dir, "--no-serve"}, args...)...)
		if code != 2 || !strings.Contains(errs, bad+":") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", args, code, errs, bad)
		}
	}
	if code, _, errs := run(t, "", "demo", "--data", dir, "--no-serve", "--rules", rules); code != 0 {
		t.Fatalf("demo with rules: %d %q", code, errs)
	}
	ctx := context.Background()
	db, u := openDemoOfficer(t, dir)
	officer := core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
	cde, err := loadRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := screenings.New(db.Screenings(), screenings.Config{Archive: []*screening.Rulebook{cde}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.List(ctx, officer, screenings.Page{})
	if err != nil || len(l.Screenings) != 2 {
		t.Fatalf("%d screenings, %v", len(l.Screenings), err)
	}
	for _, s := range l.Screenings {
		if s.RulebookID != "py-2026-cde" || s.RulebookVersion != "3" {
			t.Errorf("screening %d judged by %s %s", s.ID, s.RulebookID, s.RulebookVersion)
		}
		if rep, err := svc.Reproduce(ctx, officer, s.ID); err != nil || !rep.Same {
			t.Errorf("screening %d does not reproduce from the archive: %v", s.ID, err)
		}
	}
}

// openDemoOfficer opens the demo database in dir and returns it with the labour inspector who
// screens in the demo.
func openDemoOfficer(t *testing.T, dir string) (*store.DB, core.User) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "nanduti.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := accounts.New(db.Accounts(), accounts.Config{}).UserByEmail(context.Background(), core.SystemActor, demo.ScreeningOfficer)
	if err != nil {
		t.Fatal(err)
	}
	return db, u
}
