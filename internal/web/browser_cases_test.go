package web_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/casewire"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store/storetest"
	"nanduti/internal/web"
)

// A case from report to conviction across three agencies on a phone-sized Chromium: the labour
// inspector opens it and shares it operationally with the police and in full with the
// prosecutor's office; the police see pseudonyms only, add the suspect and an investigation
// task; the prosecutor sees identities (and is told so), charges under Ley 4788/2012 and
// records a conviction with its sentence.
func TestBrowserCaseFromReportToConviction(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	bg := context.Background()
	ring, err := seal.CreateRing(filepath.Join(t.TempDir(), "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	wired := casewire.New(h.db, ring, casewire.Config{})
	srv, err := web.New(web.Config{Accounts: h.accounts, Audit: audit.NewService(h.db.Audit()), Ping: h.db.Ping, Version: "test",
		Cases: wired.Cases})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(ts.Close)

	police, labour := h.agencyA, h.agencyB
	prosecution, err := h.accounts.CreateAgency(bg, core.SystemActor, accounts.NewAgency{TaskForceID: labour.TaskForceID, Code: "MP",
		Name: "Ministerio Público", Kind: core.AgencyProsecution})
	if err != nil {
		t.Fatal(err)
	}
	inspector := h.user(labour, core.RoleLabourInspector)
	officer := h.user(police, core.RoleInvestigator)
	prosecutor := h.user(prosecution, core.RoleProsecutor)
	actor := func(u core.User) core.Actor {
		return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, TaskForceID: labour.TaskForceID, Roles: u.Roles}
	}
	age := 15
	boy, err := wired.Persons.Create(bg, actor(inspector), persons.Input{Kind: persons.KindVictim,
		Profile:  persons.Profile{Gender: "Masculine", AgeAtIdentification: &age, Department: "10"},
		Identity: persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Villalba", MaternalSurname: "Ortiz"}})
	if err != nil {
		t.Fatal(err)
	}
	recruiter, err := wired.Persons.Create(bg, actor(officer), persons.Input{Kind: persons.KindSuspect,
		Profile:  persons.Profile{Gender: "Masculine", Department: "10"},
		Identity: persons.Identity{GivenNames: "Críspulo", PaternalSurname: "Ferreira", MaternalSurname: "Amarilla"}})
	if err != nil {
		t.Fatal(err)
	}
	day := func(daysAgo int) string { return time.Now().UTC().AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			screenshot(t, ctx, "case-failed-"+strings.ReplaceAll(step, " ", "-"))
			t.Fatalf("%s: %v", step, err)
		}
	}
	signIn := func(u core.User) {
		t.Helper()
		run("sign in "+u.Email,
			chromedp.Navigate(ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), u.Email),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
			chromedp.Click(chromedp.CSS("button[type=submit].button")),
			chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
		)
	}
	signOut := func() {
		t.Helper()
		run("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))
	}
	tab := func(name, unique string) {
		t.Helper()
		run("tab "+name, chromedp.Click(chromedp.CSS(`nav.tabs a[href$="/`+name+`"]`)), chromedp.WaitVisible(chromedp.CSS(unique)))
	}
	// move changes the status on the overview tab, where it stays; the history then has that
	// many entries.
	move := func(to string, entries int) {
		t.Helper()
		run("move to "+to,
			chromedp.WaitVisible(chromedp.CSS("#move-status")),
			chromedp.SetValue(chromedp.CSS("#status"), to),
			chromedp.Click(chromedp.CSS("#move-status")),
			chromedp.WaitVisible(chromedp.CSS("ol.timeline li:nth-child("+strconv.Itoa(entries)+")")),
		)
	}
	overview := func() {
		t.Helper()
		run("overview", chromedp.Click(chromedp.CSS(`nav.tabs li:first-child a`)), chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
	}

	// 1. The labour inspector reports the case, puts the boy in it and shares it.
	signIn(inspector)
	if nav := text(t, ctx, "nav.site-nav"); !strings.Contains(nav, "Casos") {
		t.Errorf("navigation without cases: %q", nav)
	}
	run("new case",
		chromedp.Navigate(ts.URL+"/cases/new"),
		chromedp.WaitVisible(chromedp.CSS("#create-case")),
		chromedp.SendKeys(chromedp.CSS("#title"), "Olería cerca de Ciudad del Este"),
		chromedp.Click(chromedp.CSS("#ex-ChildLabour")),
		chromedp.SetValue(chromedp.CSS("#sector"), "C"),
		chromedp.SendKeys(chromedp.CSS("#department"), "10"),
		chromedp.SetValue(chromedp.CSS("#reported_on"), day(3)),
		chromedp.SetValue(chromedp.CSS("#source"), "inspection"),
		chromedp.Click(chromedp.CSS("#create-case")),
		chromedp.WaitVisible(chromedp.CSS("#case-title")),
	)
	screenshot(t, ctx, "case-reported")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	caseID, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("case page at %s", loc)
	}
	number := strings.TrimSpace(strings.Split(text(t, ctx, ".case-number"), "·")[0])
	if !strings.HasPrefix(number, "BBB-") {
		t.Errorf("case number %q", number)
	}
	tab("persons", "#add-person")
	run("add the boy",
		chromedp.SendKeys(chromedp.CSS("#person_id"), strconv.FormatInt(boy.ID, 10)),
		chromedp.SetValue(chromedp.CSS("#role"), "victim"),
		chromedp.SetValue(chromedp.CSS("#victim_status"), "possible"),
		chromedp.Click(chromedp.CSS("#add-person")),
		chromedp.WaitVisible(chromedp.CSS("#persons")),
	)
	if s := text(t, ctx, "#persons"); !strings.Contains(s, boy.Pseudonym) || !strings.Contains(s, "Tobías Arandu Villalba Ortiz") {
		t.Errorf("owner's persons tab: %q", s)
	}
	tab("sharing", "#share")
	run("share with the police",
		chromedp.SetValue(chromedp.CSS("#agency"), strconv.FormatInt(police.ID, 10)),
		chromedp.SetValue(chromedp.CSS("#level"), "operational"),
		chromedp.Click(chromedp.CSS("#share")),
		chromedp.WaitVisible(chromedp.CSS("#shares li")),
	)
	run("share with the prosecutor's office",
		chromedp.SetValue(chromedp.CSS("#agency"), strconv.FormatInt(prosecution.ID, 10)),
		chromedp.SetValue(chromedp.CSS("#level"), "full"),
		chromedp.Click(chromedp.CSS("#share")),
		chromedp.WaitVisible(chromedp.CSS("#shares li:nth-child(2)")),
	)
	screenshot(t, ctx, "case-shared")
	overview()
	move("under_investigation", 2)
	signOut()

	// 2. The police find the case in their list, see pseudonyms only, add the suspect and a task.
	signIn(officer)
	run("police list",
		chromedp.Navigate(ts.URL+"/cases"),
		chromedp.WaitVisible(chromedp.CSS(".case-table")),
	)
	if s := text(t, ctx, ".case-table"); !strings.Contains(s, number) {
		t.Fatalf("police list without the shared case: %q", s)
	}
	run("police open the case",
		chromedp.Click(chromedp.CSS(`.case-table a[href="/cases/`+strconv.FormatInt(caseID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#case-title")),
	)
	tab("persons", "#pseudonym-notice")
	if s := text(t, ctx, "#persons"); !strings.Contains(s, boy.Pseudonym) || strings.Contains(s, "Villalba") {
		t.Errorf("police persons tab: %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#identity-notice").length`)); n != 0 {
		t.Error("the police are told they see identities")
	}
	run("add the suspect",
		chromedp.SendKeys(chromedp.CSS("#person_id"), strconv.FormatInt(recruiter.ID, 10)),
		chromedp.SetValue(chromedp.CSS("#role"), "suspect"),
		chromedp.Click(chromedp.CSS("#per-RecruiterOrIntermediary")),
		chromedp.Click(chromedp.CSS("#add-person")),
		chromedp.WaitVisible(chromedp.CSS("#persons li:nth-child(2)")),
	)
	if s := text(t, ctx, "#persons"); !strings.Contains(s, recruiter.Pseudonym) || strings.Contains(s, "Ferreira") {
		t.Errorf("police persons tab after adding the suspect: %q", s)
	}
	screenshot(t, ctx, "case-police-persons")
	tab("tasks", "#add-task")
	run("add a task",
		chromedp.SendKeys(chromedp.CSS("#title"), "Identificar al propietario de la olería"),
		chromedp.SetValue(chromedp.CSS("#due_on"), day(-7)),
		chromedp.Click(chromedp.CSS("#add-task")),
		chromedp.WaitVisible(chromedp.CSS("#tasks")),
	)
	if s := text(t, ctx, "#tasks"); !strings.Contains(s, "Identificar al propietario") || !strings.Contains(s, "AAA") {
		t.Errorf("tasks: %q", s)
	}
	overview()
	move("with_prosecutor", 3)
	signOut()

	// 3. The prosecutor sees who is who, charges the recruiter and records the conviction.
	signIn(prosecutor)
	run("prosecutor opens the case",
		chromedp.Navigate(ts.URL+"/cases"),
		chromedp.WaitVisible(chromedp.CSS(".case-table")),
		chromedp.Click(chromedp.CSS(`.case-table a[href="/cases/`+strconv.FormatInt(caseID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#case-title")),
	)
	tab("persons", "#identity-notice")
	if s := text(t, ctx, "#persons"); !strings.Contains(s, "Tobías Arandu Villalba Ortiz") || !strings.Contains(s, "Críspulo Ferreira Amarilla") {
		t.Errorf("prosecutor's persons tab: %q", s)
	}
	if s := text(t, ctx, "#identity-notice"); !strings.Contains(s, prosecutor.Name) {
		t.Errorf("identity notice: %q", s)
	}
	screenshot(t, ctx, "case-prosecutor-persons")
	roster, err := wired.Cases.Roster(bg, actor(prosecutor), caseID)
	if err != nil {
		t.Fatal(err)
	}
	var accused int64
	for _, p := range roster {
		if p.Role == "suspect" {
			accused = p.ID
		}
	}
	tab("prosecution", "#add-charge")
	run("charge",
		chromedp.SetValue(chromedp.CSS("#case_person"), strconv.FormatInt(accused, 10)),
		chromedp.SendKeys(chromedp.CSS("#article"), "Ley 4788/2012 art. 6"),
		chromedp.SetValue(chromedp.CSS("#filed_on"), day(1)),
		chromedp.Click(chromedp.CSS("#add-charge")),
		chromedp.WaitVisible(chromedp.CSS("#charges")),
	)
	overview()
	move("charged", 4)
	move("on_trial", 5)
	move("judgement", 6)
	tab("prosecution", "#charges form")
	run("conviction",
		chromedp.SetValue(chromedp.CSS(`#charges select[name="outcome"]`), "conviction"),
		chromedp.SetValue(chromedp.CSS(`#charges input[name="outcome_on"]`), day(0)),
		chromedp.SendKeys(chromedp.CSS(`#charges input[name="sentence"]`), "Diez años de pena privativa de libertad"),
		chromedp.Click(chromedp.CSS(`#charges form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#charges span.tag-ok")),
	)
	screenshot(t, ctx, "case-conviction")
	if s := text(t, ctx, "#charges"); !strings.Contains(s, "Ley 4788/2012 art. 6") || !strings.Contains(s, "Diez años de pena privativa de libertad") {
		t.Errorf("charges after the conviction: %q", s)
	}
	overview()
	if s := text(t, ctx, "#case-status"); s == "" {
		t.Error("no status shown")
	}
	move("closed", 7)
	signOut()

	// The audit chain has the prosecutor's identity reads and none by the police.
	rows, err := audit.NewService(h.db.Audit()).List(bg, core.SystemActor, audit.Filter{Action: "person.identity.read", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	by := map[int64]int{}
	for _, r := range rows {
		by[r.ActorUserID]++
	}
	if by[prosecutor.ID] < 2 || by[officer.ID] != 0 {
		t.Errorf("identity reads by user: %v", by)
	}
}
