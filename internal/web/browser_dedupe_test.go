package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
	"nanduti/internal/store/storetest"
)

// A caseworker on her phone finds the boy recorded twice by her agency (the second time with
// the surnames spelt as they sound and no cédula), compares the two records side by side with
// the notice that identities are visible and the view recorded, confirms that they are the
// same person, sees the merge on the person page, and undoes it.
func TestBrowserDedupeConfirm(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	worker := h.user(h.agencyA, core.RoleCaseworker)
	bg := context.Background()
	for _, id := range []persons.Identity{
		{GivenNames: "Matías Rodrigo", PaternalSurname: "Giménez", MaternalSurname: "Benítez", BirthDate: "2010-08-14",
			Document: persons.Document{Type: "ci", Number: "5.912.004"}},
		{GivenNames: "Matias", PaternalSurname: "Gimenes", MaternalSurname: "Benites", BirthDate: "2010-08-14"},
		{GivenNames: "Blanca Lidia", PaternalSurname: "Acosta", MaternalSurname: "Ñamandú", BirthDate: "1974-02-11"},
	} {
		if _, err := h.persons.Create(bg, core.SystemActor, persons.Input{AgencyID: h.agencyA.ID, Kind: persons.KindVictim,
			Profile: persons.Profile{Gender: "Masculine", Citizenship: []string{"PRY"}}, Identity: id}); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := h.dedupe.Run(bg, core.SystemActor, dedupe.RunOptions{})
	if err != nil || sum.New != 1 {
		t.Fatalf("job: %+v %v", sum, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), worker.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="/dedupe"]`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/dedupe"]`)),
		chromedp.WaitVisible(chromedp.CSS("#candidates")),
		chromedp.Click(chromedp.CSS("#candidates tbody a")),
		chromedp.WaitVisible(chromedp.CSS("#comparison")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "dedupe-candidate")
	if s := text(t, ctx, "#identity-notice"); !strings.Contains(s, "esta comparación queda registrada") || !strings.Contains(s, worker.Name) {
		t.Errorf("notice = %q", s)
	}
	if s := text(t, ctx, "#comparison"); !strings.Contains(s, "Giménez") || !strings.Contains(s, "Gimenes") {
		t.Errorf("comparison = %q", s)
	}
	if s := text(t, ctx, "#levels"); !strings.Contains(s, "Falta en un registro") || !strings.Contains(s, "Iguales") {
		t.Errorf("levels = %q", s)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#done-confirmed")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "dedupe-confirmed")
	candidateURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || strings.Contains(candidateURL, "Gim") {
		t.Fatalf("candidate address %q: %v", candidateURL, err)
	}
	if s := text(t, ctx, "#merge"); !strings.Contains(s, "Confirmada como la misma persona") || !strings.Contains(s, h.agencyA.Name) {
		t.Errorf("merge = %q", s)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#side-1 h2 a")),
		chromedp.WaitVisible(chromedp.CSS("#merges")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "#merges"); !strings.Contains(s, "Misma persona que V-2026-0000") {
		t.Errorf("person page merges = %q", s)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(candidateURL),
		chromedp.WaitVisible(chromedp.CSS("#undo")),
		chromedp.Click(chromedp.CSS("#undo")),
		chromedp.WaitVisible(chromedp.CSS("#done-undone")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "#status"); s != "Por revisar" {
		t.Errorf("status after undo = %q", s)
	}
}
