package main

import (
	"context"
	"strings"
	"testing"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// 'nanduti linkage dedupe' finds the same boy recorded by two agencies, prints counts and
// nothing of anyone, and proposes nothing new on a second run.
func TestCLILinkageDedupe(t *testing.T) {
	eachKeyedDB(t, func(t *testing.T, cfg *dbConfig, flags []string) {
		ctx := context.Background()
		a, err := openApp(ctx, cfg, appOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tf, err := a.accounts.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "Alto Paraná")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			code, given, paternal, maternal, doc string
		}{
			{"MTESS", "Tobías Arandu", "Benítez", "Ortiz", "7.301.552"},
			{"MINNA", "Tobias", "Benites", "Ortíz", ""},
			{"MINNA", "Ramona", "Cáceres", "Villalba", "4.100.200"},
		} {
			ag, err := a.accounts.AgencyByCode(ctx, core.SystemActor, p.code)
			if core.Is(err, core.NotFound) {
				ag, err = a.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: p.code, Name: p.code, Kind: core.AgencyOther})
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.protect.persons.Create(ctx, core.SystemActor, persons.Input{AgencyID: ag.ID, Kind: persons.KindVictim,
				Profile: persons.Profile{Gender: "Masculine"}, Identity: persons.Identity{GivenNames: p.given, PaternalSurname: p.paternal,
					MaternalSurname: p.maternal, BirthDate: "2010-08-14", Document: persons.Document{Type: "ci", Number: p.doc}}}); err != nil {
				t.Fatal(err)
			}
		}
		a.Close()

		code, out, errOut := runCLI(t, append([]string{"linkage", "dedupe"}, flags...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"persons compared:     3", "candidates found:     1", "  new:                1"} {
			if !strings.Contains(out, want) {
				t.Errorf("summary lacks %q:\n%s", want, out)
			}
		}
		for _, secret := range []string{"Ben", "Tob", "7301552", "2010"} {
			if strings.Contains(out+errOut, secret) {
				t.Errorf("output shows %q", secret)
			}
		}
		code, out, _ = runCLI(t, append([]string{"linkage", "dedupe"}, flags...)...)
		if code != 0 || !strings.Contains(out, "  new:                0") || !strings.Contains(out, "  still open:         1") {
			t.Errorf("second run: exit %d\n%s", code, out)
		}
		if code, _, errOut := runCLI(t, append([]string{"linkage", "dedupe", "--threshold", "-1"}, flags...)...); code != 2 || !strings.Contains(errOut, "--threshold") {
			t.Errorf("negative threshold: exit %d %s", code, errOut)
		}
	})
}
