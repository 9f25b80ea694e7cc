package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/screenings"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// Real responses of the screening API match the OpenAPI document, for every status it
// documents.
func TestScreeningsAPIMatchesTheDocument(t *testing.T) {
	v := loadValidator(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	inspector, analyst, trainer := h.user(h.agencyB, core.RoleLabourInspector), h.user(h.agencyB, core.RoleAnalyst), h.user(h.agencyB, core.RoleTrainer)
	tok, anaTok, trTok := h.token(inspector), h.token(analyst), h.token(trainer)
	sexual := `{"subject": {"age": 16, "sex": "female"}, "exploitation": "sexual", "act": ["recruitment"], "indicators": ["cd_forced_tasks"],
		"work": {"economic_hours_per_week": 20, "activities": ["sex_work"], "worst_forms": ["commercial_sexual_exploitation"]}, "lang": "en"}`
	calls := []struct {
		method, path, token, body string
		status                    int
	}{
		{"POST", "/api/v1/screenings", tok, brickKilnDoc, 201},
		{"POST", "/api/v1/screenings", tok, sexual, 201},
		{"POST", "/api/v1/screenings", tok, `{"subject": {"age": -1}, "exploitation": "labour", "indicators": ["dr_wage"]}`, 400},
		{"POST", "/api/v1/screenings", tok, `{"subject": {"age": 30}, "exploitation": "labour", "lang": "fr"}`, 400},
		{"POST", "/api/v1/screenings", tok, `{"subject": {"age": 30, "name": "x"}, "exploitation": "labour"}`, 400},
		{"POST", "/api/v1/screenings", tok, `[1, 2]`, 400},
		{"POST", "/api/v1/screenings", anaTok, brickKilnDoc, 403},
		{"POST", "/api/v1/screenings", "", brickKilnDoc, 401},
		{"GET", "/api/v1/screenings/1", tok, "", 200},
		{"GET", "/api/v1/screenings/2", tok, "", 200},
		{"GET", "/api/v1/screenings/1", anaTok, "", 404},
		{"GET", "/api/v1/screenings/999", tok, "", 404},
		{"GET", "/api/v1/screenings", tok, "", 200},
		{"GET", "/api/v1/screenings?limit=1", tok, "", 200},
		{"GET", "/api/v1/screenings?limit=1&before=2", tok, "", 200},
		{"GET", "/api/v1/screenings", anaTok, "", 200},
		{"GET", "/api/v1/screenings?limit=500", tok, "", 400},
		{"GET", "/api/v1/screenings", trTok, "", 403},
	}
	var bodies []string
	for _, c := range calls {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, h.ts.URL+c.path, body)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := h.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, raw)
		}
		bodies = append(bodies, string(raw))
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		vreq, _ := http.NewRequest(c.method, "http://nanduti.example"+c.path, nil)
		vreq.Header.Set("Content-Type", "application/json")
		if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d: %s: %s", c.method, c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
	}

	var first struct {
		ID       int64               `json:"id"`
		Lang     string              `json:"lang"`
		Outcomes screenings.Outcomes `json:"outcomes"`
		Result   struct {
			Caution string `json:"caution"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(bodies[8]), &first); err != nil {
		t.Fatal(err)
	}
	if first.ID != 1 || first.Lang != "es" || first.Outcomes != (screenings.Outcomes{Trafficking: "indicated", ForcedLabour: "indicated", ChildLabour: "child_labour"}) ||
		!strings.Contains(first.Result.Caution, "no lo reemplaza") {
		t.Errorf("stored brick-kiln screening: %+v", first)
	}
	if s := bodies[9]; !strings.Contains(s, `"not_assessed"`) || !strings.Contains(s, `"lang": "en"`) {
		t.Errorf("sexual-exploitation screening in English, not assessed: %s", s)
	}
	if s := bodies[4]; !strings.Contains(s, "subject.name") {
		t.Errorf("unknown field not named: %s", s)
	}
	if s := bodies[15]; strings.Contains(s, `"screenings"`) || !strings.Contains(s, `"total": 2`) {
		t.Errorf("analyst sees more than counts: %s", s)
	}
	if s := bodies[13]; !strings.Contains(s, `"next_before": 2`) {
		t.Errorf("first page of one: %s", s)
	}
}

// signedIn returns a web session for a new user of agency with role.
func signedIn(h *harness, agency core.Agency, role core.Role) (*http.Client, core.User) {
	u := h.user(agency, role)
	return h.login(u, "/"), u
}

// After an error the form comes back with the error summary and every box the officer ticked.
func TestScreeningFormKeepsWhatWasTicked(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	c, _ := signedIn(h, h.agencyA, core.RoleLabourInspector)
	form := brickKilnForm()
	form.Set("age", "quince")
	form.Set("economic_hours_per_week", "-3")
	form.Add("worst_forms", "debt_bondage")
	r := h.post(c, "/screenings", form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.status)
	}
	for _, want := range []string{`class="error-summary"`, `href="#age"`, `href="#economic_hours_per_week"`,
		"Escriba la edad en años cumplidos", "Las horas no pueden ser negativas", `value="quince"`, `value="-3"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("error page lacks %s", want)
		}
	}
	ticked := 0
	for field, values := range form {
		for _, v := range values {
			switch field {
			case "age", "economic_hours_per_week", "household_chores_hours_per_week":
				continue
			case "sex", "exploitation":
				if !strings.Contains(r.body, fmt.Sprintf(`name="%s" value="%s" checked`, field, v)) &&
					!regexp.MustCompile(fmt.Sprintf(`name="%s" value="%s"[^>]* checked`, field, v)).MatchString(r.body) {
					t.Errorf("%s=%s not chosen again", field, v)
				}
			default:
				id := field + "-" + v
				if v == "yes" {
					id = field
				}
				if !regexp.MustCompile(fmt.Sprintf(`id="%s" name="%s" value="%s" checked`, regexp.QuoteMeta(id), field, v)).MatchString(r.body) {
					t.Errorf("%s=%s not ticked again", field, v)
				}
			}
			ticked++
		}
	}
	if n := strings.Count(r.body, " checked>"); n != ticked {
		t.Errorf("%d boxes ticked on the page, %d were sent", n, ticked)
	}
	// Groups holding ticks stay open; the others stay folded.
	if !strings.Contains(r.body, `<details class="choice-group" open>
<summary>reclutamiento engañoso <span class="tag">2 marcados</span>`) {
		t.Error("the deceptive-recruitment group is not open with its count")
	}
	if !strings.Contains(r.body, `<details class="choice-group">
<summary>reclutamiento coercitivo</summary>`) {
		t.Error("an untouched group is open")
	}
	// Nothing was stored.
	if l, err := h.screenings.List(t.Context(), adminOf(h, h.agencyA), screenings.Page{}); err != nil || l.Counts.Total != 0 {
		t.Errorf("a screening was stored from an invalid form: %+v %v", l.Counts, err)
	}
	// A box that is not in the rulebook (a tampered form) is reported, not dropped.
	form = brickKilnForm()
	form.Add("hazards", "kiln_firing")
	if r := h.post(c, "/screenings", form); r.status != 400 || !strings.Contains(r.body, `href="#hazards"`) {
		t.Errorf("unknown hazard: %d", r.status)
	}
}

func adminOf(h *harness, agency core.Agency) core.Actor {
	u := h.user(agency, core.RoleAgencyAdmin)
	return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
}

// The pages over HTTP on both engines: screen, read the result, list, and another agency's
// screenings never show.
func TestScreeningPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		c, _ := signedIn(h, h.agencyA, core.RoleLabourInspector)
		r := h.post(c, "/screenings", brickKilnForm())
		loc := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !regexp.MustCompile(`^/screenings/\d+$`).MatchString(loc) {
			t.Fatalf("create: %d %q", r.status, loc)
		}
		page := h.get(c, loc)
		for _, want := range []string{"Resultado de la evaluación", "no lo reemplaza", "Hay indicios", "Trabajo infantil",
			"trabajo peligroso", "trabajo nocturno", "reclutamiento engañoso", "fuerte", "a verificar", "Usted", "15 años",
			"Condiciones que decidieron", "queda registrada"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("result page lacks %q", want)
			}
		}
		// Another officer of the agency, reading in English: the same verdicts in English words.
		c2, _ := signedIn(h, h.agencyA, core.RoleInvestigator)
		h.post(c2, "/language", url.Values{"lang": {"en"}, "back": {"/"}})
		en := h.get(c2, loc)
		for _, want := range []string{"Screening result", "Indicated", "Child labour", "hazardous work", "Someone else in your agency",
			"does not replace"} {
			if !strings.Contains(en.body, want) {
				t.Errorf("English result page lacks %q", want)
			}
		}

		// Agency B's officer screens too; neither list shows the other's screening.
		cb, _ := signedIn(h, h.agencyB, core.RoleInvestigator)
		rb := h.post(cb, "/screenings", url.Values{"age": {"34"}, "sex": {"female"}, "exploitation": {"labour"},
			"indicators": {"cd_confiscation_docs", "cd_debt_bondage"}, "economic_hours_per_week": {"70"}})
		locB := rb.header.Get("Location")
		if rb.status != http.StatusSeeOther {
			t.Fatalf("agency B create: %d", rb.status)
		}
		listA, listB := h.get(c, "/screenings"), h.get(cb, "/screenings")
		if !strings.Contains(listA.body, `href="`+loc+`"`) || strings.Contains(listA.body, `href="`+locB+`"`) {
			t.Errorf("agency A's list: own %v, other's %v", strings.Contains(listA.body, loc), strings.Contains(listA.body, locB))
		}
		if strings.Contains(listB.body, `href="`+loc+`"`) || !strings.Contains(listB.body, `href="`+locB+`"`) {
			t.Error("agency B's list shows the wrong screenings")
		}
		if r := h.get(cb, loc); r.status != http.StatusNotFound || strings.Contains(r.body, "Hay indicios") {
			t.Errorf("agency B reads agency A's screening: %d", r.status)
		}
		// The analyst of agency A sees the counts and no link to any screening.
		ca, _ := signedIn(h, h.agencyA, core.RoleAnalyst)
		la := h.get(ca, "/screenings")
		if la.status != 200 || strings.Contains(la.body, `href="/screenings/`) || !strings.Contains(la.body, "solo los totales") {
			t.Errorf("analyst's list: %d", la.status)
		}
		// Paging: 25 more screenings make two pages, newest first.
		for range 25 {
			if r := h.post(c, "/screenings", brickKilnForm()); r.status != http.StatusSeeOther {
				t.Fatal(r.status)
			}
		}
		p1 := h.get(c, "/screenings")
		next := regexp.MustCompile(`href="/screenings\?before=(\d+)"`).FindStringSubmatch(p1.body)
		if next == nil || strings.Count(p1.body, `<tr>`) != screenings.DefaultPageSize+1 {
			t.Fatalf("first page: %d rows, next %v", strings.Count(p1.body, `<tr>`)-1, next)
		}
		p2 := h.get(c, "/screenings?before="+next[1])
		if n := strings.Count(p2.body, `<tr>`) - 1; n != 26-screenings.DefaultPageSize || !strings.Contains(p2.body, `href="`+loc+`"`) {
			t.Errorf("second page: %d rows", n)
		}
		if r := h.get(c, "/screenings?before=abc"); r.status != http.StatusBadRequest {
			t.Errorf("bad before: %d", r.status)
		}
	})
}

// The demo story in real Chromium on a phone-sized window: the labour inspector screens the
// 15-year-old from the brick kiln and reads the result.
func TestBrowserScreeningBrickKiln(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	inspector := h.user(h.agencyB, core.RoleLabourInspector)
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), inspector.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
		chromedp.Click(chromedp.CSS(`.card-list a[href="/screenings/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#age")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "h1"); s != "Nueva evaluación de indicadores" {
		t.Errorf("form h1 = %q", s)
	}
	// A first try without the age: the summary says so and the ticks survive.
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS("#sex-male")),
	}
	open := func(anchor string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS("details:has(#" + anchor + ") > summary"))
	}
	tick := func(field, id string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS("#" + field + "-" + id))
	}
	steps = append(steps,
		open("act"), tick("act", "recruitment"), tick("act", "transport"), tick("act", "harbouring"),
		open("dimension-deceptive_recruitment"), tick("indicators", "dr_nature_job"), tick("indicators", "dr_education"),
		open("dimension-exploitative_conditions"), tick("indicators", "ex_excessive_hours"), tick("indicators", "ex_hazardous"),
		tick("indicators", "ex_no_education"),
		open("dimension-coercion_destination"), tick("indicators", "cd_withhold_wages"),
		chromedp.SendKeys(chromedp.CSS("#economic_hours_per_week"), "54"),
		chromedp.SendKeys(chromedp.CSS("#household_chores_hours_per_week"), "4"),
		chromedp.Click(chromedp.CSS("#night_work")),
		chromedp.Click(chromedp.CSS("#lives_in_employer_household")),
		open("activities"), tick("activities", "brick_kiln"),
		open("hazards"), tick("hazards", "heavy_loads"), tick("hazards", "extreme_temperatures_noise_vibration"),
		chromedp.Click(chromedp.CSS(".screening-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "screening-error")
	if s := text(t, ctx, ".error-summary"); !strings.Contains(s, "edad") {
		t.Errorf("error summary: %q", s)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".screening-form input:checked").length`))
	if err != nil || n != 16 {
		t.Errorf("%d choices kept after the error, want 16 (%v)", n, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.error-summary a[href="#age"]`)),
		chromedp.SendKeys(chromedp.CSS("#age"), "15"),
		chromedp.Click(chromedp.CSS(".screening-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#caution")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "screening-result")
	if s := text(t, ctx, "h1"); s != "Resultado de la evaluación" {
		t.Errorf("result h1 = %q", s)
	}
	for sel, want := range map[string][]string{
		"#caution":                {"no lo reemplaza"},
		"#fw-trafficking":         {"Hay indicios", "lista de niños", "reclutamiento engañoso", "fuerte", "Se cumple"},
		"#fw-child_labour":        {"Trabajo infantil", "trabajo peligroso", "horas excesivas", "trabajo nocturno"},
		"#fw-forced_labour_icls":  {"Hay indicios", "involuntariedad"},
		"#fw-forced_labour_ilo11": {"de 11 presentes"},
		".outcome-list":           {"Trata de personas", "Hay indicios"},
	} {
		s := text(t, ctx, sel)
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s lacks %q: %q", sel, w, s)
			}
		}
	}
	// The page fits the phone: nothing wider than the window.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || wide {
		t.Errorf("the result page scrolls sideways on a phone (%v)", err)
	}
	// Link the screening to the boy's person record by typing his number; the page comes back
	// at the person section with the link to his record.
	age := 15
	boy, err := h.persons.Create(t.Context(), core.Actor{UserID: inspector.ID, AgencyID: inspector.AgencyID,
		TaskForceID: h.agencyB.TaskForceID, Roles: inspector.Roles}, persons.Input{Kind: persons.KindVictim,
		Profile:  persons.Profile{Gender: "Masculine", AgeAtIdentification: &age, Department: "10"},
		Identity: persons.Identity{GivenNames: "Tobías Arandu", PaternalSurname: "Villalba"}})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#person_id"), strconv.FormatInt(boy.ID, 10)),
		chromedp.Click(chromedp.CSS("#link-person")),
		chromedp.WaitVisible(chromedp.CSS("#unlink-person")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "screening-linked")
	if s := text(t, ctx, "#person"); !strings.Contains(s, "Persona n.º "+strconv.FormatInt(boy.ID, 10)) {
		t.Errorf("person section after linking: %q", s)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.button-secondary[href="/screenings"]`)),
		chromedp.WaitVisible(chromedp.CSS("#screenings")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "screening-list")
	if s := text(t, ctx, "#screenings tbody"); !strings.Contains(s, "Hay indicios") || !strings.Contains(s, "Trabajo infantil") {
		t.Errorf("list: %q", s)
	}
}
