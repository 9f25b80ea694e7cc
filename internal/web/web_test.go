package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

func TestSecurityHeadersAndCookies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		u := h.user(h.agencyA, core.RoleAnalyst)
		c := h.client()
		for _, path := range []string{"/login", "/healthz", "/static/app.css", "/api/v1/openapi.json", "/no-such-page"} {
			r := h.get(c, path)
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"X-Frame-Options":        "DENY",
			} {
				if got := r.header.Get(name); got != want {
					t.Errorf("%s: %s = %q, want %q", path, name, got, want)
				}
			}
			csp := r.header.Get("Content-Security-Policy")
			for _, part := range []string{"default-src 'none'", "frame-ancestors 'none'", "style-src 'self'"} {
				if !strings.Contains(csp, part) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, part)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
				t.Errorf("%s: CSP allows script: %q", path, csp)
			}
		}
		r := h.post(c, "/login", url.Values{"email": {u.Email}, "password": {password}})
		cookie := r.header.Get("Set-Cookie")
		for _, part := range []string{"__Host-nanduti=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
			if !strings.Contains(cookie, part) {
				t.Errorf("session cookie %q lacks %q", cookie, part)
			}
		}
		if strings.Contains(cookie, "Domain=") {
			t.Errorf("session cookie must not set a Domain: %q", cookie)
		}
		// No page may carry inline script or inline styles (the CSP would block them anyway).
		home := h.get(c, "/")
		if home.status != 200 || strings.Contains(home.body, "<script") || strings.Contains(home.body, "style=") {
			t.Errorf("home page: status %d, inline script or style present", home.status)
		}
	})
}

func TestLoginPagesInBothLanguages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		u := h.user(h.agencyA, core.RoleTrainer)
		c := h.client()
		r := h.get(c, "/login")
		if r.status != 200 || !strings.Contains(r.body, `lang="es"`) || !strings.Contains(r.body, "Iniciar sesión") {
			t.Fatalf("default login page is not Spanish: %d", r.status)
		}
		r = h.do(c, "GET", "/login", nil, map[string]string{"Accept-Language": "en-GB,en;q=0.9"})
		if !strings.Contains(r.body, `lang="en"`) || !strings.Contains(r.body, "Sign in") {
			t.Error("Accept-Language: en does not give English")
		}
		r = h.post(c, "/login", url.Values{"email": {u.Email}, "password": {"not the password"}})
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Hay un problema") ||
			!strings.Contains(r.body, i18n.T("es", "login.failed")) || !strings.Contains(r.body, `value="`+u.Email+`"`) {
			t.Errorf("failed login: status %d, want 401 with the error summary and the email kept", r.status)
		}
		if strings.Contains(r.body, "not the password") {
			t.Error("a failed login echoed the password")
		}
		// The language switch keeps the choice in a cookie and, once signed in, in the session.
		r = h.post(c, "/language", url.Values{"lang": {"en"}, "back": {"/login"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Fatalf("language switch: %d %q", r.status, r.header.Get("Location"))
		}
		if r := h.get(c, "/login"); !strings.Contains(r.body, "Sign in") {
			t.Error("language choice not kept")
		}
		r = h.post(c, "/language", url.Values{"lang": {"en"}, "back": {"//evil.example/"}})
		if loc := r.header.Get("Location"); loc != "/" {
			t.Errorf("language switch redirected off-site: %q", loc)
		}
		if r := h.post(c, "/language", url.Values{"lang": {"xx"}}); r.status != http.StatusBadRequest {
			t.Errorf("unknown language: %d", r.status)
		}
		h.post(c, "/login", url.Values{"email": {u.Email}, "password": {password}})
		if r := h.get(c, "/"); r.status != 200 || !strings.Contains(r.body, "Hello, "+u.Name) {
			t.Errorf("home page after English sign-in: %d", r.status)
		}
	})
}

func TestLockoutOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := core.NewFixedClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true, clock: clock})
		victim := h.user(h.agencyA, core.RoleAnalyst)
		auditor := h.user(h.agencyA, core.RoleAuditor)
		c := h.client()
		for i := 0; i < 20; i++ {
			r := h.post(c, "/login", url.Values{"email": {victim.Email}, "password": {"wrong password number x"}})
			if r.status == http.StatusSeeOther {
				t.Fatalf("wrong password %d let in", i+1)
			}
		}
		r := h.post(c, "/login", url.Values{"email": {victim.Email}, "password": {password}})
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, i18n.T("es", "login.locked")) {
			t.Fatalf("21st attempt with the right password: %d, want 429 locked", r.status)
		}
		ac := h.login(auditor, "/")
		page := h.get(ac, "/audit?action=login.failure")
		if page.status != 200 || strings.Count(page.body, "<code>login.failure</code>") != 4 {
			t.Errorf("audit viewer shows %d login.failure rows, want 4", strings.Count(page.body, "<code>login.failure</code>"))
		}
		page = h.get(ac, "/audit?action=login.refused_locked")
		if strings.Count(page.body, "<code>login.refused_locked</code>") != 16 {
			t.Errorf("audit viewer shows %d refused rows, want 16", strings.Count(page.body, "<code>login.refused_locked</code>"))
		}
		if strings.Contains(page.body, victim.Email) {
			t.Error("the audit log shows an email address")
		}
	})
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
	u := h.user(h.agencyA, core.RoleAnalyst)
	c := h.client()
	r := h.do(c, "POST", "/login", url.Values{"email": {u.Email}, "password": {password}},
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if r.status != http.StatusForbidden || r.header.Get("Set-Cookie") != "" {
		t.Errorf("cross-site login: %d, cookie %q; want 403 and no session", r.status, r.header.Get("Set-Cookie"))
	}
	r = h.do(c, "POST", "/login", url.Values{"email": {u.Email}, "password": {password}},
		map[string]string{"Sec-Fetch-Site": "same-origin"})
	if r.status != http.StatusSeeOther {
		t.Errorf("same-origin login: %d", r.status)
	}
}

func TestSecondFactorOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{})
		u := h.user(h.agencyA, core.RoleInvestigator)
		c := h.login(u, "/account/second-factor")
		// Nothing else is reachable before enrolment.
		if r := h.get(c, "/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/second-factor" {
			t.Errorf("home before enrolment: %d %q", r.status, r.header.Get("Location"))
		}
		page := h.get(c, "/account/second-factor")
		if page.status != 200 || !strings.Contains(page.body, "<svg") {
			t.Fatalf("enrolment page: %d", page.status)
		}
		secret := extract(page.body, `id="totp-secret">`, "<")
		secret = strings.ReplaceAll(secret, " ", "")
		code, _ := accounts.TOTPCode(secret, accounts.TOTPStep(time.Now()))
		if r := h.post(c, "/account/second-factor", url.Values{"code": {"000000"}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, "error-summary") {
			t.Errorf("wrong enrolment code: %d", r.status)
		}
		r := h.post(c, "/account/second-factor", url.Values{"code": {code}})
		if r.status != 200 || strings.Count(r.body, "<li><code>") != 10 {
			t.Fatalf("enrolment: %d, recovery codes shown: %d", r.status, strings.Count(r.body, "<li><code>"))
		}
		if r := h.get(c, "/"); r.status != 200 {
			t.Errorf("home after enrolment: %d", r.status)
		}
		c2 := h.login(u, "/login/second-factor")
		if r := h.get(c2, "/account"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/second-factor" {
			t.Errorf("account before the second factor: %d %q", r.status, r.header.Get("Location"))
		}
		if r := h.api("GET", "/api/v1/me", "", ""); r.status != http.StatusUnauthorized {
			t.Errorf("API without a token: %d", r.status)
		}
	})
}

func extract(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}

func TestAPIErrorsAreJSON(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
	admin := h.user(h.agencyA, core.RoleSystemAdmin)
	tok := h.token(admin)
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     core.Code
		field                    string
	}{
		{"no token", "GET", "/api/v1/me", "", 401, core.Unauthenticated, ""},
		{"bad json", "POST", "/api/v1/users", `{"email": `, 400, core.Invalid, ""},
		{"unknown field", "POST", "/api/v1/users", `{"emial": "x@example.org"}`, 400, core.Invalid, ""},
		{"wrong type", "POST", "/api/v1/users", `{"agency_id": "one"}`, 400, core.Invalid, "agency_id"},
		{"validation", "POST", "/api/v1/users", `{"agency_id": 1, "email": "nope", "name": "", "roles": [], "password": "x"}`, 400, core.Invalid, "email"},
		{"not found", "GET", "/api/v1/users/999999", "", 404, core.NotFound, ""},
		{"bad id", "GET", "/api/v1/users/abc", "", 404, core.NotFound, ""},
		{"bad limit", "GET", "/api/v1/audit?limit=9999", "", 400, core.Invalid, "limit"},
	}
	for _, c := range cases {
		token := tok
		if c.name == "no token" {
			token = ""
		}
		r := h.api(c.method, c.path, token, c.body)
		var body struct {
			Error struct {
				Code    core.Code `json:"code"`
				Message string    `json:"message"`
				Fields  []struct{ Field, Message string }
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Errorf("%s: body is not JSON: %q", c.name, r.body)
			continue
		}
		if r.status != c.status || body.Error.Code != c.code || body.Error.Message == "" {
			t.Errorf("%s: %d %q %q, want %d %q", c.name, r.status, body.Error.Code, body.Error.Message, c.status, c.code)
		}
		if c.field != "" {
			found := false
			for _, f := range body.Error.Fields {
				found = found || f.Field == c.field
			}
			if !found {
				t.Errorf("%s: no error for field %q in %s", c.name, c.field, r.body)
			}
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
	u := h.user(h.agencyA, core.RoleAnalyst)
	c := h.login(u, "/")
	h.get(c, "/admin/users/1")
	if r := h.get(h.client(), "/healthz"); r.status != 200 || r.body != "ok\n" {
		t.Errorf("healthz: %d %q", r.status, r.body)
	}
	m := h.get(h.client(), "/metrics")
	if m.status != 200 || !strings.Contains(m.body, `nanduti_http_requests_total{method="POST",route="POST /login",status="303"} 1`) ||
		!strings.Contains(m.body, `route="GET /admin/users/{id}"`) {
		t.Errorf("metrics lack the request counts by route pattern:\n%s", m.body)
	}
	if strings.Contains(m.body, u.Email) || strings.Contains(m.body, "/admin/users/1\"") {
		t.Error("metrics carry an email or a raw path")
	}
}

func TestUnknownPagesAreOurs(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{})
	r := h.do(h.client(), "GET", "/no-such-page", nil, map[string]string{"Accept-Language": "es"})
	if r.status != http.StatusNotFound || !strings.Contains(r.body, i18n.T("es", "error.not_found")) || !strings.Contains(r.body, `lang="es"`) {
		t.Errorf("unknown page: %d %q", r.status, r.body)
	}
	r = h.api("GET", "/api/v1/no-such-thing", "", "")
	if r.status != http.StatusNotFound || !strings.Contains(r.body, `"code": "not_found"`) {
		t.Errorf("unknown API path: %d %q", r.status, r.body)
	}
}

func TestCatalogsAreComplete(t *testing.T) {
	es, en := i18n.Keys("es"), i18n.Keys("en")
	if strings.Join(es, ",") != strings.Join(en, ",") {
		t.Errorf("the es and en catalogues have different keys")
	}
	for _, r := range core.AllRoles {
		if !i18n.Has("es", "role."+string(r)) {
			t.Errorf("role %s has no label", r)
		}
	}
	for _, k := range core.AgencyKinds {
		if !i18n.Has("es", "agency.kind."+string(k)) {
			t.Errorf("agency kind %s has no label", k)
		}
	}
}
