package main

import (
	"context"
	"path/filepath"
	"testing"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/demo"
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
	db, err := store.Open(ctx, filepath.Join(dir, "nanduti.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := accounts.New(db.Accounts(), accounts.Config{}).UserByEmail(ctx, core.SystemActor, demo.ScreeningOfficer)
	if err != nil {
		t.Fatal(err)
	}
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
