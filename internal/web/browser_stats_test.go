package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nanduti/internal/core"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store/storetest"
)

// An analyst on a phone: chooses a second dimension, sees the chart and the table beneath it,
// and downloads the table as CSV.
func TestBrowserStatsDashboard(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	analyst := h.user(h.agencyA, core.RoleAnalyst)
	d := h.importDataset(h.agencyA.ID, "Sintético navegador", 150)
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), analyst.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
		chromedp.Click(chromedp.CSS(`.card-list a[href="/stats"]`)),
		chromedp.WaitVisible(chromedp.CSS("#table-year svg.chart")),
		// The case database comes first; the analyst picks the imported dataset.
		chromedp.SetValue(chromedp.CSS("#source"), analysis.DatasetSource(d.ID)),
		chromedp.SetValue(chromedp.CSS("#by"), "year"),
		chromedp.SetValue(chromedp.CSS("#by2"), "age_group"),
		chromedp.Click(chromedp.CSS(".stats-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#table-custom svg.chart")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "stats-phone")
	if s := text(t, ctx, "#title-custom"); s != "Víctimas identificadas por Año × Grupo de edad" {
		t.Errorf("composed table title %q", s)
	}
	table := text(t, ctx, "#table-custom table")
	for _, want := range []string{"2019", "0 a 17 años", "18 años o más", "Total", "150"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table beneath the chart lacks %q: %s", want, table)
		}
	}
	// The chart fits the page's width (headless Chromium lays a phone-sized window out at
	// no less than 500 px): it scales through its viewBox instead of overflowing.
	box, err := chromedp.Run(ctx, chromedp.Dimensions(chromedp.CSS("#table-custom svg.chart")))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Dimensions(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if box.Width <= 0 || box.Width > body.Width || body.Width > 500 {
		t.Errorf("chart width %d in a page of %d px", box.Width, body.Width)
	}
	// The CSV button downloads the table the page shows, with its disclosure metadata.
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#table-custom a[href*="format=csv"]`), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("no CSV download button: %v", err)
	}
	r := h.get(h.login(analyst, "/"), href.Value)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
		!strings.HasPrefix(r.body, "year,age_group,value,suppression,threshold\n") || !strings.Contains(r.body, "Total,Total,150,,5") {
		t.Errorf("CSV download: %d %q\n%s", r.status, r.header.Get("Content-Disposition"), r.body)
	}
}
