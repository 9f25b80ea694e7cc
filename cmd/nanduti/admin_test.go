package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nanduti/internal/demo"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// run runs the CLI with args and returns the exit code, standard output and standard error.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &CLI{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "LANG" {
			return "es_PY.UTF-8"
		}
		return ""
	}}
	code := c.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestCLIUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, 0, "nanduti "},
		{[]string{"no-such-command"}, 2, `unknown command "no-such-command"`},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"serve", "--addr", "nonsense"}, 2, "--addr must be HOST:PORT"},
		{[]string{"serve", "--db", "mysql://x"}, 2, "--db must be a postgres://"},
		{[]string{"serve", "--tls-cert", "a.pem"}, 2, "--tls-cert and --tls-key go together"},
		{[]string{"user"}, 2, "missing subcommand"},
		{[]string{"user", "frobnicate"}, 2, `unknown subcommand "frobnicate"`},
		{[]string{"user", "add", "--role", "wizard"}, 2, `unknown role "wizard"`},
		{[]string{"user", "list", "--format", "xml"}, 2, "--format must be text or json"},
		{[]string{"agency", "add", "--kind", "spies"}, 2, "--kind must be one of"},
		{[]string{"token", "revoke", "--id", "abc"}, 2, "--id must be a positive number"},
		{[]string{"token", "create"}, 2, "--user is required"},
		{[]string{"audit", "verify", "extra"}, 2, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		code, out, errs := run(t, "", c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("nanduti %v: exit %d, output %q %q; want exit %d containing %q", c.args, code, out, errs, c.code, c.want)
		}
	}
	for _, cmd := range [][]string{{"serve"}, {"demo"}, {"migrate"}, {"user", "add"}, {"user", "list"}, {"agency", "add"}, {"token", "create"}, {"audit", "verify"}} {
		code, out, _ := run(t, "", append(cmd, "--help")...)
		if code != 0 || !strings.Contains(out, "Usage: nanduti") {
			t.Errorf("nanduti %v --help: exit %d, %q", cmd, code, out)
		}
	}
}

// eachDB runs fn with the database flags of a fresh SQLite directory and, when available, of
// a fresh PostgreSQL schema.
func eachDB(t *testing.T, fn func(t *testing.T, dbArgs []string)) {
	t.Run(store.SQLite, func(t *testing.T) { fn(t, []string{"--data", t.TempDir()}) })
	t.Run(store.Postgres, func(t *testing.T) {
		u := storetest.PostgresURL(t)
		if u == "" {
			t.Skip("NANDUTI_TEST_POSTGRES is not set")
		}
		dsn, _ := storetest.NewSchema(t, u)
		fn(t, []string{"--db", dsn})
	})
}

func TestCLIAdministration(t *testing.T) {
	eachDB(t, func(t *testing.T, db []string) {
		with := func(args ...string) []string { return append(args, db...) }
		if code, out, errs := run(t, "", with("migrate")...); code != 0 || !regexp.MustCompile(`applied [1-9]\d* migration`).MatchString(out) {
			t.Fatalf("migrate: %d %q %q", code, out, errs)
		}
		if code, out, _ := run(t, "", with("migrate")...); code != 0 || !strings.Contains(out, "applied 0 migration") {
			t.Errorf("second migrate: %d %q", code, out)
		}
		code, out, errs := run(t, "", with("agency", "add", "--task-force", "Mesa de Prueba", "--code", "pn", "--name", "Policía de Prueba", "--kind", "police")...)
		if code != 0 || !strings.Contains(out, "created agency") {
			t.Fatalf("agency add: %d %q %q", code, out, errs)
		}
		code, _, errs = run(t, "", with("agency", "add", "--code", "PN", "--name", "Otra", "--kind", "police")...)
		if code != 2 || !strings.Contains(errs, "--code: Ya existe una institución con ese código") {
			t.Errorf("duplicate agency: %d %q", code, errs)
		}
		code, _, errs = run(t, "", with("agency", "add", "--code", "x", "--name", "", "--kind", "ngo")...)
		if code != 2 || !strings.Contains(errs, "--code:") || !strings.Contains(errs, "--name: Este campo es obligatorio") {
			t.Errorf("invalid agency: %d %q", code, errs)
		}
		code, out, _ = run(t, "", with("agency", "list")...)
		if code != 0 || !strings.Contains(out, "PN") || !strings.Contains(out, "Policía de Prueba") {
			t.Errorf("agency list: %d %q", code, out)
		}

		code, out, errs = run(t, "", with("user", "add", "--email", "Oficial@Prueba.example", "--name", "Oficial Prueba", "--agency", "pn", "--role", "investigator,trainer")...)
		if code != 0 || !regexp.MustCompile(`initial password: \S{20,}`).MatchString(out) {
			t.Fatalf("user add: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, "a long chosen password\n", with("user", "add", "--email", "analista@prueba.example", "--name", "Analista", "--agency", "PN", "--role", "analyst", "--password-stdin")...)
		if code != 0 || strings.Contains(out, "password") {
			t.Errorf("user add --password-stdin: %d %q %q", code, out, errs)
		}
		code, _, errs = run(t, "short\n", with("user", "add", "--email", "x@prueba.example", "--name", "X", "--agency", "PN", "--role", "analyst", "--password-stdin")...)
		if code != 2 || !strings.Contains(errs, "--password: La contraseña debe tener al menos 10 caracteres") {
			t.Errorf("short password: %d %q", code, errs)
		}
		code, _, errs = run(t, "", with("user", "add", "--email", "y@prueba.example", "--name", "Y", "--agency", "NOPE", "--role", "analyst")...)
		if code != 2 || !strings.Contains(errs, `no agency has the code "NOPE"`) {
			t.Errorf("unknown agency: %d %q", code, errs)
		}
		code, out, _ = run(t, "", with("user", "list")...)
		if code != 0 || out != "analista@prueba.example\tPN\tanalyst\noficial@prueba.example\tPN\tinvestigator,trainer\n" {
			t.Errorf("user list: %d %q", code, out)
		}
		code, out, _ = run(t, "", with("user", "list", "--format", "json")...)
		var users []struct {
			Email  string   `json:"email"`
			Agency string   `json:"agency"`
			Roles  []string `json:"roles"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &users) != nil || len(users) != 2 || users[1].Roles[1] != "trainer" {
			t.Errorf("user list --format json: %d %q", code, out)
		}
		if code, out, _ := run(t, "", with("user", "disable", "--email", "analista@prueba.example")...); code != 0 || !strings.Contains(out, "disabled") {
			t.Errorf("user disable: %d %q", code, out)
		}
		if code, out, _ := run(t, "", with("user", "list")...); !strings.Contains(out, "analyst\tdisabled") {
			t.Errorf("disabled user not shown as such: %d %q", code, out)
		}
		if code, _, errs := run(t, "", with("user", "disable", "--email", "nadie@prueba.example")...); code != 1 || !strings.Contains(errs, "no user has the email") {
			t.Errorf("disable unknown: %d %q", code, errs)
		}
		if code, out, _ := run(t, "", with("user", "reset-password", "--email", "oficial@prueba.example")...); code != 0 || !strings.Contains(out, "new password: ") {
			t.Errorf("reset-password: %d %q", code, out)
		}

		code, out, errs = run(t, "", with("token", "create", "--user", "oficial@prueba.example")...)
		if code != 0 || !regexp.MustCompile(`^nnd_[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
			t.Fatalf("token create must print the token alone: %d %q %q", code, out, errs)
		}
		if code, _, errs := run(t, "", with("token", "create", "--user", "analista@prueba.example")...); code != 2 || !strings.Contains(errs, "suspendida") {
			t.Errorf("token for a disabled user: %d %q", code, errs)
		}
		if code, out, _ := run(t, "", with("token", "revoke", "--id", "1")...); code != 0 || !strings.Contains(out, "revoked token 1") {
			t.Errorf("token revoke: %d %q", code, out)
		}
		if code, _, errs := run(t, "", with("token", "revoke", "--id", "1")...); code != 1 || !strings.Contains(errs, "no active token") {
			t.Errorf("revoke twice: %d %q", code, errs)
		}

		code, out, errs = run(t, "", with("audit", "verify")...)
		if code != 0 || !regexp.MustCompile(`audit chain intact: \d+ rows, head [0-9a-f]{64}`).MatchString(out) {
			t.Fatalf("audit verify: %d %q %q", code, out, errs)
		}
		head := regexp.MustCompile(`[0-9a-f]{64}`).FindString(out)
		if code, _, _ := run(t, "", with("audit", "verify", "--expect-head", head)...); code != 0 {
			t.Errorf("audit verify with the right head: %d", code)
		}
		if code, _, errs := run(t, "", with("audit", "verify", "--expect-head", strings.Repeat("0", 64))...); code != 1 || !strings.Contains(errs, "head hash is not the expected one") {
			t.Errorf("audit verify with a wrong head: %d %q", code, errs)
		}
	})
}

// An audit row altered by hand makes audit verify fail and name the row.
func TestCLIAuditVerifyNamesTheAlteredRow(t *testing.T) {
	dir := t.TempDir()
	run(t, "", "agency", "add", "--data", dir, "--task-force", "Mesa", "--code", "PN", "--name", "Policía", "--kind", "police")
	run(t, "", "user", "add", "--data", dir, "--email", "a@prueba.example", "--name", "A", "--agency", "PN", "--role", "analyst")
	run(t, "", "user", "disable", "--data", dir, "--email", "a@prueba.example")
	db, err := store.Open(context.Background(), filepath.Join(dir, "nanduti.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET action = 'user.enable' WHERE seq = 3`} {
		if err := db.ExecForTest(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	code, out, errs := run(t, "", "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(errs, "audit chain BROKEN at row 3") || !strings.Contains(errs, "altered") {
		t.Errorf("audit verify after tampering: exit %d, %q %q", code, out, errs)
	}
}

func TestCLIDemoIsIdempotentAndRefusesRealData(t *testing.T) {
	dir := t.TempDir()
	var users, agencies []string
	for i := 0; i < 2; i++ {
		code, out, errs := run(t, "", "demo", "--data", dir, "--no-serve")
		if code != 0 || !strings.Contains(out, "inspectora@nanduti.example") || !strings.Contains(out, "demo-nanduti-2026") {
			t.Fatalf("demo run %d: %d %q %q", i+1, code, out, errs)
		}
		_, u, _ := run(t, "", "user", "list", "--data", dir)
		_, a, _ := run(t, "", "agency", "list", "--data", dir)
		users, agencies = append(users, u), append(agencies, a)
	}
	// Running the demo again adds nothing.
	if users[0] != users[1] || agencies[0] != agencies[1] {
		t.Errorf("the second demo run changed the data:\n%s\n%s", users[1], agencies[1])
	}
	for _, acc := range demo.Accounts {
		if !strings.Contains(users[1], acc.Email+"\t"+acc.AgencyCode+"\t"+string(acc.Role)) {
			t.Errorf("demo account %s (%s, %s) missing", acc.Email, acc.AgencyCode, acc.Role)
		}
	}
	if n := strings.Count(agencies[1], "\n"); n != len(demo.Agencies) {
		t.Errorf("demo has %d agencies, want %d", n, len(demo.Agencies))
	}
	real := t.TempDir()
	run(t, "", "agency", "add", "--data", real, "--task-force", "Mesa Real", "--code", "PN", "--name", "Policía", "--kind", "police")
	if code, _, errs := run(t, "", "demo", "--data", real, "--no-serve"); code != 2 || !strings.Contains(errs, "despliegue real") {
		t.Errorf("demo on a real database: %d %q", code, errs)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serve starts, answers in Spanish, logs JSON without personal data, and shuts down cleanly
// when its context ends (as on SIGINT or SIGTERM).
func TestCLIServeAndShutdown(t *testing.T) {
	dir := t.TempDir()
	var out, errs syncBuffer
	c := &CLI{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- c.Run(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}) }()
	var base string
	for i := 0; i < 200 && base == ""; i++ {
		time.Sleep(25 * time.Millisecond)
		base = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(out.String())
	}
	if base == "" {
		cancel()
		t.Fatalf("server did not start: %q %q", out.String(), errs.String())
	}
	resp, err := http.Get(base + "/login?email=secreta@prueba.example")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Iniciar sesión") {
		t.Errorf("GET /login: %d", resp.StatusCode)
	}
	// Every module's pages are wired into the served application: signed out, each sends the
	// visitor to the login page instead of answering 404.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/", "/cases", "/persons", "/screenings", "/stats", "/training", "/dedupe", "/audit", "/admin/users"} {
		resp, err := noRedirect.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("GET %s signed out: %d %q, want 303 to /login (is the module wired in serve?)", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after shutdown: %q", code, errs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	logs := errs.String()
	if !strings.Contains(logs, `"route":"GET /login"`) || !strings.Contains(logs, `"msg":"shutting down"`) {
		t.Errorf("logs lack the request or the shutdown: %s", logs)
	}
	if strings.Contains(logs, "secreta") {
		t.Error("a query string reached the logs")
	}
	if _, err := os.Stat(filepath.Join(dir, "nanduti.db")); err != nil {
		t.Errorf("no database under --data: %v", err)
	}
}
