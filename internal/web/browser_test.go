package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/store/storetest"
	"nanduti/internal/testutil"
)

// findChromium returns the path of a Chromium binary, or "".
func findChromium() string {
	if p := os.Getenv("NANDUTI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts headless Chromium with a phone-sized window. In CI a missing browser fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	testutil.Require(t, path != "", "Chromium (apt-get install chromium)")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(390, 844),
		// An officer's phone in Paraguay: Spanish first.
		chromedp.Flag("lang", "es-PY"),
		chromedp.Flag("accept-lang", "es-PY,es"),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first run starts the browser and must not carry a time limit; later runs do.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves a PNG of the page when NANDUTI_SCREENSHOTS names a directory, so that a
// person can look at what the tests saw.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("NANDUTI_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func TestBrowserSignIn(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{})
	trainer := h.user(h.agencyA, core.RoleTrainer)

	// A wrong password: the error summary names the problem, the email stays filled in.
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), trainer.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), "esta no es la clave"),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "login-failed")
	if s := text(t, ctx, ".error-summary"); !strings.Contains(s, "no son correctos") {
		t.Errorf("error summary: %q", s)
	}
	email, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email")))
	if email != trainer.Email {
		t.Errorf("email not kept after the error: %q", email)
	}

	// The right password (the password field comes back empty: it is never refilled): the
	// Spanish home page with the user's name.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "h1"); s != "Hola, "+trainer.Name {
		t.Fatalf("after sign-in h1 = %q", s)
	}
	screenshot(t, ctx, "home-es")

	// Switch to English: the choice is kept in the session for the next pages.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[name=lang][value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] h1`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "h1"); s != "Hello, "+trainer.Name {
		t.Errorf("after the switch h1 = %q", s)
	}
	chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/account"), chromedp.WaitVisible(chromedp.CSS(`form[action="/account/password"]`)))
	if s := text(t, ctx, "h1"); s != "My account" {
		t.Errorf("account page after the switch: %q", s)
	}
	lang, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if lang.Value != "en" {
		t.Errorf("html lang = %q", lang.Value)
	}
	screenshot(t, ctx, "account-en")
}

func TestBrowserSecondFactorEnrolment(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{})
	inspector := h.user(h.agencyA, core.RoleLabourInspector)

	// A labour inspector may see identities, so sign-in leads straight to enrolment.
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), inspector.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("#totp-secret")),
		chromedp.WaitVisible(chromedp.CSS("svg.qr")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "enrol")
	secret := strings.ReplaceAll(text(t, ctx, "#totp-secret"), " ", "")
	code, err := accounts.TOTPCode(secret, accounts.TOTPStep(time.Now()))
	if err != nil {
		t.Fatalf("secret on the page is not base32: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "recovery-codes")
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#recovery-codes li").length`))
	if n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}

	// Next sign-in asks for the code; a fresh code lets the inspector in.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), inspector.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "challenge")
	// The enrolment code's time step was used; wait for the next one.
	next := time.Unix((accounts.TOTPStep(time.Now())+1)*30, 0)
	time.Sleep(time.Until(next) + 200*time.Millisecond)
	code, _ = accounts.TOTPCode(secret, accounts.TOTPStep(time.Now()))
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "h1"); s != "Hola, "+inspector.Name {
		t.Errorf("after the second factor h1 = %q", s)
	}
}

// The demo is served over plain HTTP on the loopback address: browsers treat 127.0.0.1 as a
// secure context, so the __Host- session cookie (which requires Secure) still works there.
func TestBrowserPlainHTTPOnLoopback(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	plain := httptest.NewServer(h.server)
	t.Cleanup(plain.Close)
	prosecutor := h.user(h.agencyA, core.RoleProsecutor)
	err := chromedp.Do(ctx,
		chromedp.Navigate(plain.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), prosecutor.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit].button")),
		chromedp.WaitVisible(chromedp.CSS("dl.summary-list")),
	)
	if err != nil {
		t.Fatalf("sign-in over http://127.0.0.1: %v", err)
	}
	if s := text(t, ctx, "h1"); s != "Hola, "+prosecutor.Name {
		t.Errorf("h1 = %q", s)
	}
}
