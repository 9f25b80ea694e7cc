package web_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"nanduti/internal/casewire"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
	"nanduti/internal/screenings"
	"nanduti/internal/seal"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store"
	"nanduti/internal/training"
	"nanduti/internal/web"
)

// cheap keeps argon2id fast in tests.
var cheap = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

const password = "a long test password"

// harness is a running server on a fresh database with two agencies (A and B).
type harness struct {
	t        *testing.T
	db       *store.DB
	accounts *accounts.Service
	server   *web.Server
	ts       *httptest.Server
	clock    *core.FixedClock
	agencyA  core.Agency
	agencyB  core.Agency
	emails   int

	// screenings is the screenings service the server uses.
	screenings *screenings.Service
	// training is the training service the server uses.
	training *training.Service
	// stats is the statistics service the server uses.
	stats *analysis.Service
	// cases is the cases service the server uses.
	cases *cases.Service
	// persons is the persons service the server uses, with its key ring in the test's
	// temporary directory.
	persons *persons.Service
	ring    *seal.Ring
	// dedupe is the dedupe service the server uses, opening identities with persons.
	dedupe *dedupe.Service
}

type harnessOptions struct {
	waiveSecondFactor bool
	clock             *core.FixedClock
}

func newHarness(t *testing.T, db *store.DB, opts harnessOptions) *harness {
	t.Helper()
	ctx := context.Background()
	cfg := accounts.Config{Password: cheap, SecondFactorWaived: opts.waiveSecondFactor}
	if opts.clock != nil {
		cfg.Clock = opts.clock
	}
	h := &harness{t: t, db: db, accounts: accounts.New(db.Accounts(), cfg), clock: opts.clock}
	var err error
	h.training = training.New(db.Training(), training.Config{Clock: cfg.Clock, Field: db.CaseStats()})
	h.stats = analysis.New(db.Analysis(), analysis.Config{Clock: cfg.Clock, Cases: db.CaseStats()})
	if h.ring, err = seal.CreateRing(filepath.Join(t.TempDir(), "keys", "kek.json")); err != nil {
		t.Fatal(err)
	}
	// Persons and cases wired to each other exactly as the application wires them.
	wired := casewire.New(db, h.ring, casewire.Config{Clock: cfg.Clock})
	h.persons, h.cases = wired.Persons, wired.Cases
	if h.screenings, err = screenings.New(db.Screenings(), screenings.Config{Clock: cfg.Clock, CheckPerson: h.persons.Exists}); err != nil {
		t.Fatal(err)
	}
	h.dedupe = dedupe.New(db.Dedupe(), h.persons, dedupe.Config{Clock: cfg.Clock, Cases: h.cases})
	srv, err := web.New(web.Config{Accounts: h.accounts, Audit: audit.NewService(db.Audit()), Ping: db.Ping, Version: "test",
		Screenings: h.screenings, Training: h.training, Stats: h.stats, Cases: h.cases, Persons: h.persons, Dedupe: h.dedupe})
	if err != nil {
		t.Fatal(err)
	}
	h.server = srv
	h.ts = httptest.NewTLSServer(srv)
	t.Cleanup(h.ts.Close)
	tf, err := h.accounts.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "")
	if err != nil {
		t.Fatal(err)
	}
	if h.agencyA, err = h.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "AAA", Name: "Agencia A", Kind: core.AgencyPolice}); err != nil {
		t.Fatal(err)
	}
	if h.agencyB, err = h.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "BBB", Name: "Agencia B", Kind: core.AgencyLabour}); err != nil {
		t.Fatal(err)
	}
	return h
}

// user creates a user with a unique synthetic email.
func (h *harness) user(agency core.Agency, roles ...core.Role) core.User {
	h.t.Helper()
	h.emails++
	u, err := h.accounts.CreateUser(context.Background(), core.SystemActor, accounts.NewUser{AgencyID: agency.ID,
		Email: fmt.Sprintf("persona%d.%s@prueba.example", h.emails, strings.ToLower(agency.Code)), Name: fmt.Sprintf("Persona Prueba %d", h.emails),
		Roles: roles, Password: password})
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// client returns an HTTP client with its own cookie jar that does not follow redirects.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:       jar,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(c *http.Client, method, path string, form url.Values, header map[string]string) response {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (h *harness) get(c *http.Client, path string) response { return h.do(c, "GET", path, nil, nil) }

func (h *harness) post(c *http.Client, path string, form url.Values) response {
	if form == nil {
		form = url.Values{}
	}
	return h.do(c, "POST", path, form, nil)
}

// login signs a user in on a new client and checks where the server sends them.
func (h *harness) login(u core.User, wantLocation string) *http.Client {
	h.t.Helper()
	c := h.client()
	r := h.post(c, "/login", url.Values{"email": {u.Email}, "password": {password}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != wantLocation {
		h.t.Fatalf("login %s: status %d location %q, want 303 to %s", u.Email, r.status, r.header.Get("Location"), wantLocation)
	}
	return c
}

// token creates an API token for the user.
func (h *harness) token(u core.User) string {
	h.t.Helper()
	plain, _, err := h.accounts.CreateTokenFor(context.Background(), core.SystemActor, u.Email, "prueba")
	if err != nil {
		h.t.Fatal(err)
	}
	return plain
}

func (h *harness) api(method, path, token, body string) response {
	h.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, h.ts.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}
