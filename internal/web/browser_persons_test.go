package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nanduti/internal/core"
	"nanduti/internal/store/storetest"
)

// A labour inspector records the boy of the brick kiln on her phone, sees his identity with the
// notice that the view is recorded, and finds him again by a surname spelt the other way;
// the search terms never reach the address bar.
func TestBrowserPersons(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	inspector := h.user(h.agencyA, core.RoleLabourInspector)
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), inspector.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="/persons"]`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/persons"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/persons/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/persons/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#given_names")),
		chromedp.SendKeys(chromedp.CSS("#given_names"), "Anatolio Ysapy"),
		chromedp.SendKeys(chromedp.CSS("#paternal_surname"), "Giménez"),
		chromedp.SendKeys(chromedp.CSS("#maternal_surname"), "Benítez"),
		chromedp.SendKeys(chromedp.CSS("#document_number"), "4.812.377"),
		chromedp.SendKeys(chromedp.CSS("#phones"), "0981 457 219"),
		chromedp.SendKeys(chromedp.CSS("#age_at_identification"), "15"),
		chromedp.SetValue(chromedp.CSS("#gender"), "Masculine"),
		chromedp.SetValue(chromedp.CSS("#department"), "10"),
		chromedp.SendKeys(chromedp.CSS("#district"), "11"),
		chromedp.Click(chromedp.CSS("#vuln-Poverty")),
		chromedp.Click(chromedp.CSS("form.person-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#identity-notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "person-view")
	if s := text(t, ctx, "h1"); !strings.HasPrefix(s, "V-2026-00001") {
		t.Errorf("h1 = %q", s)
	}
	if s := text(t, ctx, "#identity-notice"); !strings.Contains(s, "Identidad visible: esta consulta queda registrada") || !strings.Contains(s, inspector.Name) {
		t.Errorf("notice = %q", s)
	}
	if s := text(t, ctx, "#identity"); !strings.Contains(s, "Anatolio Ysapy") || !strings.Contains(s, "+595981457219") {
		t.Errorf("identity = %q", s)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/persons"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "Jiménez"),
		chromedp.Click(chromedp.CSS(`form[action="/persons/search"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#results")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "person-search")
	if s := text(t, ctx, "#results tbody"); !strings.Contains(s, "V-2026-00001") || !strings.Contains(s, "Anatolio Ysapy Giménez Benítez") ||
		!strings.Contains(s, "Por cómo suena") {
		t.Errorf("results = %q", s)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || strings.Contains(loc, "Jim") || strings.Contains(loc, "?") {
		t.Errorf("the search went into the address: %q %v", loc, err)
	}
}
