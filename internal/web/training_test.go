package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nanduti/internal/core"
	"nanduti/internal/store/storetest"
	"nanduti/internal/training"
)

// Live training API responses match the OpenAPI document.
func TestTrainingAPIResponsesMatchTheDocument(t *testing.T) {
	v := loadValidator(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	f := newTrainingFixture(h, h.agencyA.ID, "documento")
	other := newTrainingFixture(h, h.agencyB.ID, "ajeno")
	admin := h.user(h.agencyA, core.RoleAgencyAdmin)
	analyst := h.user(h.agencyA, core.RoleAnalyst)
	tok, anaTok := h.token(admin), h.token(analyst)
	sid := fmt.Sprint(f.session.ID)
	calls := []struct{ method, path, token, body string }{
		{"GET", "/api/v1/training/courses", tok, ""},
		{"POST", "/api/v1/training/courses", tok, `{"title": "Curso API", "language": "es", "min_attendance_pct": 80, "min_post_score": 70, "modules": [{"title": "Uno", "minutes": 90}]}`},
		{"POST", "/api/v1/training/courses", tok, `{"title": "", "language": "xx", "modules": []}`},
		{"GET", "/api/v1/training/sessions", tok, ""},
		{"GET", "/api/v1/training/sessions", anaTok, ""},
		{"POST", "/api/v1/training/sessions", tok, fmt.Sprintf(`{"course_id": %d, "starts_on": "2026-05-01", "ends_on": "2026-05-02", "department": "07", "place": "Encarnación", "trainer_ids": [%d]}`, f.course.ID, f.trainer.ID)},
		{"POST", "/api/v1/training/sessions", tok, `{"course_id": 0, "starts_on": "ayer", "ends_on": "", "department": "99", "place": ""}`},
		{"GET", "/api/v1/training/sessions/" + sid, tok, ""},
		{"GET", fmt.Sprintf("/api/v1/training/sessions/%d", other.session.ID), tok, ""},
		{"POST", "/api/v1/training/sessions/" + sid + "/participants", tok, fmt.Sprintf(`{"participant": {"agency_id": %d, "name": "Ana Prueba Documento", "rank": "Oficial", "department": "10"}}`, h.agencyA.ID)},
		{"POST", "/api/v1/training/sessions/" + sid + "/participants", tok, fmt.Sprintf(`{"participant_id": %d}`, f.participant.ID)},
		{"POST", "/api/v1/training/sessions/" + sid + "/attendance", tok, fmt.Sprintf(`{"marks": [{"participant_id": %d, "module_id": %d, "status": "late"}]}`, f.participant.ID, f.course.Modules[0].ID)},
		{"POST", "/api/v1/training/sessions/" + sid + "/attendance", tok, fmt.Sprintf(`{"marks": [{"participant_id": %d, "module_id": %d, "status": "quizá"}]}`, f.participant.ID, f.course.Modules[0].ID)},
		{"POST", "/api/v1/training/sessions/" + sid + "/scores", tok, fmt.Sprintf(`{"scores": [{"participant_id": %d, "pre_score": 45, "post_score": 88, "feedback": 5}]}`, f.participant.ID)},
		{"POST", "/api/v1/training/sessions/" + sid + "/scores", tok, fmt.Sprintf(`{"scores": [{"participant_id": %d, "post_score": 101}]}`, f.participant.ID)},
		{"POST", "/api/v1/training/sessions/" + sid + "/certificates", tok, ""},
		{"POST", fmt.Sprintf("/api/v1/training/certificates/%d/revoke", f.cert.ID), tok, ""},
		{"POST", fmt.Sprintf("/api/v1/training/certificates/%d/revoke", f.cert.ID), tok, ""},
		{"GET", "/api/v1/training/cascade", anaTok, ""},
		{"GET", "/api/v1/training/report", anaTok, ""},
		{"GET", "/api/v1/training/report", "", ""},
	}
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
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		vreq, _ := http.NewRequest(c.method, "http://nanduti.example"+c.path, nil)
		vreq.Header.Set("Content-Type", "application/json")
		if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d: %s: %s", c.method, c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
		if bytes.Contains(raw, []byte(other.participant.Name)) {
			t.Errorf("%s %s shows another agency's participant", c.method, c.path)
		}
	}
}

// An upload with problems names each row and column, keeps the form, and writes nothing; a
// good one previews and then applies.
func TestTrainingImportOverHTTP(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	f := newTrainingFixture(h, h.agencyA.ID, "importación")
	admin := h.user(h.agencyA, core.RoleAgencyAdmin)
	c := h.login(admin, "/")
	post := func(content string) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "asistencia.csv")
		fw.Write([]byte(content))
		mw.Close()
		req, _ := http.NewRequest("POST", h.ts.URL+fmt.Sprintf("/training/sessions/%d/import", f.session.ID), &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, body: string(b)}
	}
	bad := post(fmt.Sprintf("participante;post;modulo_1\n%d;150;P\n424242;80;P\n", f.participant.ID))
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "Fila 2, columna «post»") ||
		!strings.Contains(bad.body, "Fila 3, columna «participante»: 424242 no es un participante inscripto") {
		t.Fatalf("bad file: %d\n%s", bad.status, extract(bad.body, `id="import-problems"`, "</div>"))
	}
	good := post(fmt.Sprintf("participante;post;modulo_1\n%d;77;tarde\n", f.participant.ID))
	if good.status != 200 || !strings.Contains(good.body, `id="preview"`) {
		t.Fatalf("good file: %d", good.status)
	}
	canonical := extract(good.body, `name="canonical" value="`, `"`)
	r := h.post(c, fmt.Sprintf("/training/sessions/%d/import", f.session.ID), map[string][]string{"canonical": {htmlUnescape(canonical)}, "confirm": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.status)
	}
	d, _ := h.training.Session(context.Background(), core.Actor{UserID: admin.ID, AgencyID: admin.AgencyID, Roles: admin.Roles}, f.session.ID)
	if e := d.Enrolments[0]; *e.PostScore != 77 || e.Attendance[f.course.Modules[0].ID] != training.Late {
		t.Errorf("not imported: %+v", e)
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#10;", "\n", "&#xA;", "\n").Replace(s)
}

// Public verification: a valid, a revoked and an unknown code, and a malformed one that
// answers exactly like the unknown one.
func TestVerifyPage(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{})
	f := newTrainingFixture(h, h.agencyA.ID, "verificación")
	anon := h.client()
	ok := h.get(anon, "/verify/"+strings.ToLower(training.FormatCode(f.cert.Code)))
	if ok.status != 200 || !strings.Contains(ok.body, "Válido") || !strings.Contains(ok.body, training.Initials(f.participant.Name)) ||
		strings.Contains(ok.body, f.participant.Name) || strings.Contains(ok.body, "Aula") {
		t.Fatalf("valid: %d", ok.status)
	}
	unknown := h.get(anon, "/verify/AAAAAAAAAAAAAAAA")
	malformed := h.get(anon, "/verify/%3Cscript%3E")
	// The pages differ only in the address the language switch returns to.
	same := strings.ReplaceAll(unknown.body, "/verify/AAAAAAAAAAAAAAAA", "") == strings.ReplaceAll(malformed.body, "/verify/&lt;script&gt;", "")
	if unknown.status != 404 || malformed.status != 404 || !same || !strings.Contains(unknown.body, "No encontrado") {
		t.Errorf("unknown %d, malformed %d, same page %v", unknown.status, malformed.status, same)
	}
	actor := core.Actor{System: true}
	if _, err := h.training.RevokeCertificate(context.Background(), actor, f.cert.ID); err != nil {
		t.Fatal(err)
	}
	if r := h.get(anon, "/verify/"+f.cert.Code); r.status != 200 || !strings.Contains(r.body, "Revocado") {
		t.Errorf("revoked: %d", r.status)
	}
	if r := h.get(anon, "/verify?code="+training.FormatCode(f.cert.Code)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/verify/"+f.cert.Code {
		t.Errorf("form redirect: %d %s", r.status, r.header.Get("Location"))
	}
}

// A trainer, on a phone, creates a session, enrols participants, takes attendance with one
// submit, records scores and issues certificates; the PDF opens and its code verifies.
func TestBrowserTrainingSession(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	trainer := h.user(h.agencyA, core.RoleTrainer)
	tActor := core.Actor{UserID: trainer.ID, AgencyID: trainer.AgencyID, Roles: trainer.Roles}
	course, err := h.training.CreateCourse(context.Background(), tActor, training.NewCourse{Title: "Indicadores de trabajo forzoso",
		Language: "es", MinAttendancePct: 80, MinPostScore: 70, Modules: []training.NewModule{{Title: "Marco legal", Minutes: 120}, {Title: "Indicadores", Minutes: 120}}})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), trainer.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
		chromedp.Navigate(h.ts.URL+"/training/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS("#course")),
		chromedp.SetValue(chromedp.CSS("#course"), fmt.Sprint(course.ID)),
		chromedp.SetValue(chromedp.CSS("#starts_on"), "2026-04-06"),
		chromedp.SetValue(chromedp.CSS("#ends_on"), "2026-04-07"),
		chromedp.SetValue(chromedp.CSS("#department"), "10"),
		chromedp.SendKeys(chromedp.CSS("#place"), "Comisaría 3.ª de Ciudad del Este"),
		chromedp.Click(chromedp.CSS("form.form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#enrol-new")),
	)
	if err != nil {
		t.Fatal(err)
	}
	sessionURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Zulma Ortiz Cardozo", "Blas Riveros Jara"} {
		// Each form is submitted from a fresh page, and each wait is for the page the submit
		// leads to, so that no step acts on the page being replaced.
		err := chromedp.Do(ctx,
			chromedp.Navigate(sessionURL),
			chromedp.WaitVisible(chromedp.CSS("#enrol-new")),
			chromedp.SendKeys(chromedp.CSS("#name"), name),
			chromedp.SetValue(chromedp.CSS("#agency"), fmt.Sprint(h.agencyA.ID)),
			chromedp.SetValue(chromedp.CSS("form:has(#enrol-new) #department"), "10"),
			chromedp.Click(chromedp.CSS("#enrol-new")),
			chromedp.WaitVisible(chromedp.CSS("#done-enrolled")),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	screenshot(t, ctx, "training-session")
	// Attendance: Blas missed module 2; "rest present" marks everything else present.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#take-attendance")),
		chromedp.WaitVisible(chromedp.CSS("#save-attendance")),
		chromedp.Click(chromedp.CSS(`fieldset.attendance-person:nth-of-type(1) .field:nth-of-type(2) input[value=absent]`)),
		chromedp.Click(chromedp.CSS("#rest-present")),
		chromedp.WaitVisible(chromedp.CSS("#done-attendance")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "training-attendance-saved")
	// Scores: both pass the post-test; only Zulma attended enough.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#participants tbody tr:nth-child(1) input[id^=post_]"), "85"),
		chromedp.SendKeys(chromedp.CSS("#participants tbody tr:nth-child(2) input[id^=post_]"), "90"),
		chromedp.Click(chromedp.CSS("#save-scores")),
		chromedp.WaitVisible(chromedp.CSS("#done-scores")),
		chromedp.Click(chromedp.CSS("#issue")),
		chromedp.WaitVisible(chromedp.CSS("#done-certificates")),
		chromedp.WaitVisible(chromedp.CSS(".cert-link")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "training-certificates")
	counts := text(t, ctx, "#counts")
	if counts != "2 participantes, 1 aprobaron" {
		t.Errorf("counts: %q", counts)
	}
	code := text(t, ctx, "#participants code")
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".cert-link"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	// The PDF, fetched with the trainer's session, is a PDF that names the verification page.
	c := h.login(trainer, "/")
	pdf := h.get(c, href.Value)
	if pdf.status != 200 || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("certificate: %d", pdf.status)
	}
	if dir := os.Getenv("NANDUTI_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "certificate.pdf"), []byte(pdf.body), 0o644)
	}
	// Anyone can verify the code, typed as printed.
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/verify"),
		chromedp.WaitVisible(chromedp.CSS("#code")),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("form.form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#verify-result")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "verify-valid")
	if s := text(t, ctx, "#verify-result"); !strings.Contains(s, "Válido") {
		t.Errorf("verify: %q", s)
	}
	if s := text(t, ctx, "dl.summary-list"); !strings.Contains(s, "Z. O. C.") || strings.Contains(s, "Zulma") {
		t.Errorf("verify shows %q", s)
	}
}
