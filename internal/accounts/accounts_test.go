package accounts_test

import (
	"context"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// cheap keeps argon2id fast in tests; the format and the code path are the production ones.
var cheap = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type fixture struct {
	db     *store.DB
	svc    *accounts.Service
	audit  *audit.Service
	clock  *core.FixedClock
	police core.Agency
	labour core.Agency
}

const goodPassword = "correct horse battery"

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clock, audit: audit.NewService(db.Audit()),
		svc: accounts.New(db.Accounts(), accounts.Config{Clock: clock, Password: cheap})}
	tf, err := f.svc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de prueba", "Alto Paraná")
	if err != nil {
		t.Fatal(err)
	}
	if f.police, err = f.svc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "pn", Name: "Policía", Kind: core.AgencyPolice}); err != nil {
		t.Fatal(err)
	}
	if f.labour, err = f.svc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: "MTESS", Name: "Trabajo", Kind: core.AgencyLabour}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) user(t *testing.T, email string, agency core.Agency, roles ...core.Role) core.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), core.SystemActor, accounts.NewUser{
		AgencyID: agency.ID, Email: email, Name: "Agente " + email, Roles: roles, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	if e, ok := err.(*core.Error); ok {
		for _, fe := range e.Fields {
			out[fe.Field] = fe.Key
		}
	}
	return out
}

func TestAccounts(t *testing.T) {
	suite := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"users", testUsers},
		{"lockout", testLockout},
		{"second factor", testSecondFactor},
		{"sessions", testSessions},
		{"tokens", testTokens},
		{"admin scope", testAdminScope},
	}
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) { tc.fn(t, newFixture(t, db)) })
		})
	}
}

func testUsers(t *testing.T, f *fixture) {
	ctx := context.Background()
	u := f.user(t, " Ana.Perez@Example.org ", f.police, core.RoleInvestigator)
	if u.Email != "ana.perez@example.org" {
		t.Errorf("email not normalised: %q", u.Email)
	}
	_, err := f.svc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: f.police.ID, Email: "ana.perez@example.org",
		Name: "Otra", Roles: []core.Role{core.RoleAnalyst}, Password: goodPassword})
	if !core.Is(err, core.Conflict) || fieldKeys(err)["email"] != "user.email_taken" {
		t.Errorf("duplicate email: %v", err)
	}
	_, err = f.svc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: f.police.ID, Email: "no-at-sign",
		Name: "", Roles: []core.Role{"wizard"}, Password: "short"})
	keys := fieldKeys(err)
	if !core.Is(err, core.Invalid) || keys["email"] != "user.email_invalid" || keys["name"] != "error.required" ||
		keys["roles"] != "user.role_unknown" || keys["password"] != "password.too_short" {
		t.Errorf("validation: %v", err)
	}
	_, err = f.svc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: 9999, Email: "x@example.org",
		Name: "X", Roles: []core.Role{core.RoleAnalyst}, Password: goodPassword})
	if fieldKeys(err)["agency"] != "user.agency_unknown" {
		t.Errorf("unknown agency: %v", err)
	}
	if _, err := f.svc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{Code: "PN", Name: "Dup", Kind: core.AgencyPolice}); fieldKeys(err)["code"] != "agency.code_taken" {
		t.Errorf("duplicate agency code: %v", err)
	}
	users, err := f.svc.ListUsers(ctx, core.SystemActor)
	if err != nil || len(users) != 1 || users[0].Roles[0] != core.RoleInvestigator {
		t.Errorf("ListUsers = %v, %v", users, err)
	}
	if err := f.svc.SetDisabled(ctx, core.SystemActor, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Login(ctx, u.Email, goodPassword, "es"); !core.Is(err, core.Unauthenticated) {
		t.Errorf("disabled user signed in: %v", err)
	}
	rep, err := f.audit.Verify(ctx, core.SystemActor)
	if err != nil || rep.Break != nil || rep.Rows < 5 {
		t.Errorf("audit after user changes: %+v %v", rep, err)
	}
}

func testLockout(t *testing.T, f *fixture) {
	ctx := context.Background()
	u := f.user(t, "analista@example.org", f.police, core.RoleAnalyst)
	for i := 1; i <= 20; i++ {
		_, _, err := f.svc.Login(ctx, u.Email, "wrong password "+string(rune('a'+i)), "es")
		if err == nil {
			t.Fatalf("wrong password %d accepted", i)
		}
	}
	if _, _, err := f.svc.Login(ctx, u.Email, goodPassword, "es"); !core.Is(err, core.TooManyRequests) {
		t.Fatalf("21st attempt with the right password after 20 wrong ones: %v, want locked", err)
	}
	rows, err := f.audit.List(ctx, core.Actor{UserID: 99, AgencyID: f.police.ID, Roles: []core.Role{core.RoleAuditor}}, audit.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Action]++
	}
	if counts["login.failure"] != 4 || counts["login.lockout"] != 1 || counts["login.refused_locked"] != 16 {
		t.Errorf("audit of failed logins: %v", counts)
	}
	// The lock lifts after the back-off; the right password then works and resets the count.
	f.clock.Advance(2 * time.Minute)
	if _, stage, err := f.svc.Login(ctx, u.Email, goodPassword, "es"); err != nil || stage != accounts.StageFull {
		t.Fatalf("after the lock: %v %v", stage, err)
	}
	// Unknown addresses lock the same way, so lockout does not reveal which accounts exist.
	for i := 0; i < 5; i++ {
		f.svc.Login(ctx, "nadie@example.org", "whatever123", "es")
	}
	if _, _, err := f.svc.Login(ctx, "nadie@example.org", "whatever123", "es"); !core.Is(err, core.TooManyRequests) {
		t.Errorf("unknown address not locked: %v", err)
	}
}

func code(t *testing.T, secret string, at time.Time) string {
	c, err := accounts.TOTPCode(secret, accounts.TOTPStep(at))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testSecondFactor(t *testing.T, f *fixture) {
	ctx := context.Background()
	u := f.user(t, "inspectora@example.org", f.labour, core.RoleLabourInspector)
	token, stage, err := f.svc.Login(ctx, u.Email, goodPassword, "es")
	if err != nil || stage != accounts.StageEnrol {
		t.Fatalf("identity role without a second factor: stage %v, %v", stage, err)
	}
	secret, uri, err := f.svc.StartEnrolment(ctx, token)
	if err != nil || secret == "" || uri == "" {
		t.Fatalf("StartEnrolment: %v", err)
	}
	if _, err := f.svc.ConfirmEnrolment(ctx, token, "000000"); fieldKeys(err)["code"] != "totp.code_wrong" {
		t.Errorf("wrong enrolment code: %v", err)
	}
	codes, err := f.svc.ConfirmEnrolment(ctx, token, code(t, secret, f.clock.Now()))
	if err != nil || len(codes) != 10 {
		t.Fatalf("ConfirmEnrolment: %v %v", codes, err)
	}
	if info, err := f.svc.Authenticate(ctx, token); err != nil || info.Session.Stage != accounts.StageFull {
		t.Fatalf("after enrolment: %+v %v", info.Session, err)
	}

	f.clock.Advance(time.Minute)
	token2, stage, err := f.svc.Login(ctx, u.Email, goodPassword, "es")
	if err != nil || stage != accounts.StageSecondFactor {
		t.Fatalf("enrolled user: stage %v, %v", stage, err)
	}
	if _, err := f.svc.CompleteSecondFactor(ctx, token2, "123456"); fieldKeys(err)["code"] != "totp.code_wrong" {
		t.Errorf("wrong code: %v", err)
	}
	good := code(t, secret, f.clock.Now())
	full, err := f.svc.CompleteSecondFactor(ctx, token2, good)
	if err != nil || full == token2 {
		t.Fatalf("CompleteSecondFactor: new token %v, %v", full != token2, err)
	}
	if _, err := f.svc.Authenticate(ctx, token2); err == nil {
		t.Error("the pre-second-factor token must stop working")
	}
	// The same code cannot be used twice.
	token3, _, _ := f.svc.Login(ctx, u.Email, goodPassword, "es")
	if _, err := f.svc.CompleteSecondFactor(ctx, token3, good); err == nil {
		t.Error("a TOTP code was accepted twice")
	}
	// A recovery code works once.
	if _, err := f.svc.CompleteSecondFactor(ctx, token3, codes[0]); err != nil {
		t.Errorf("recovery code: %v", err)
	}
	token4, _, _ := f.svc.Login(ctx, u.Email, goodPassword, "es")
	if _, err := f.svc.CompleteSecondFactor(ctx, token4, codes[0]); err == nil {
		t.Error("a recovery code was accepted twice")
	}
	// An administrator resets a lost second factor; the user enrols again.
	if err := f.svc.ResetSecondFactor(ctx, core.SystemActor, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, stage, _ := f.svc.Login(ctx, u.Email, goodPassword, "es"); stage != accounts.StageEnrol {
		t.Errorf("after reset: stage %v", stage)
	}
}

func testSessions(t *testing.T, f *fixture) {
	ctx := context.Background()
	u := f.user(t, "capacitador@example.org", f.police, core.RoleTrainer)
	token, stage, err := f.svc.Login(ctx, u.Email, goodPassword, "en")
	if err != nil || stage != accounts.StageFull {
		t.Fatalf("trainer login: %v %v", stage, err)
	}
	info, err := f.svc.Authenticate(ctx, token)
	if err != nil || info.Actor.UserID != u.ID || info.Actor.AgencyID != f.police.ID || info.Session.Lang != "en" {
		t.Fatalf("Authenticate: %+v %v", info, err)
	}
	// Activity keeps the session alive; idleness ends it.
	for i := 0; i < 5; i++ {
		f.clock.Advance(20 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("active session ended after %d×20 min: %v", i+1, err)
		}
	}
	f.clock.Advance(31 * time.Minute)
	if _, err := f.svc.Authenticate(ctx, token); !core.Is(err, core.Unauthenticated) {
		t.Errorf("idle session still valid: %v", err)
	}
	// The absolute limit ends even an active session.
	token, _, _ = f.svc.Login(ctx, u.Email, goodPassword, "es")
	for i := 0; i < 12*3+1; i++ {
		f.clock.Advance(20 * time.Minute)
		f.svc.Authenticate(ctx, token)
	}
	if _, err := f.svc.Authenticate(ctx, token); !core.Is(err, core.Unauthenticated) {
		t.Errorf("session older than the absolute limit still valid: %v", err)
	}
	// Logout everywhere ends all of the user's sessions.
	a, _, _ := f.svc.Login(ctx, u.Email, goodPassword, "es")
	b, _, _ := f.svc.Login(ctx, u.Email, goodPassword, "es")
	info, _ = f.svc.Authenticate(ctx, a)
	if err := f.svc.LogoutEverywhere(ctx, info.Actor); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a, b} {
		if _, err := f.svc.Authenticate(ctx, tok); err == nil {
			t.Error("session survived logout everywhere")
		}
	}
	// A password change elsewhere by an administrator ends sessions too.
	c, _, _ := f.svc.Login(ctx, u.Email, goodPassword, "es")
	if err := f.svc.ResetPassword(ctx, core.SystemActor, u.ID, "another long password"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, c); err == nil {
		t.Error("session survived a password reset")
	}
}

func testTokens(t *testing.T, f *fixture) {
	ctx := context.Background()
	u := f.user(t, "programa@example.org", f.police, core.RoleAnalyst)
	other := f.user(t, "otro@example.org", f.labour, core.RoleAnalyst)
	plain, tok, err := f.svc.CreateTokenFor(ctx, core.SystemActor, u.Email, "informes")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := f.svc.AuthenticateToken(ctx, plain)
	if err != nil || actor.UserID != u.ID {
		t.Fatalf("AuthenticateToken: %+v %v", actor, err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, plain+"x"); !core.Is(err, core.Unauthenticated) {
		t.Errorf("altered token: %v", err)
	}
	otherActor := core.Actor{UserID: other.ID, AgencyID: other.AgencyID, Roles: other.Roles}
	if err := f.svc.RevokeToken(ctx, otherActor, tok.ID); !core.Is(err, core.NotFound) {
		t.Errorf("revoking another user's token: %v, want not found", err)
	}
	list, err := f.svc.ListTokens(ctx, otherActor)
	if err != nil || len(list) != 0 {
		t.Errorf("another user's tokens listed: %v %v", list, err)
	}
	if err := f.svc.RevokeToken(ctx, actor, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, plain); !core.Is(err, core.Unauthenticated) {
		t.Errorf("revoked token still works: %v", err)
	}
	plain2, _, _ := f.svc.CreateToken(ctx, actor, "segundo")
	f.svc.SetDisabled(ctx, core.SystemActor, u.ID, true)
	if _, err := f.svc.AuthenticateToken(ctx, plain2); !core.Is(err, core.Unauthenticated) {
		t.Errorf("token of a disabled user works: %v", err)
	}
}

func testAdminScope(t *testing.T, f *fixture) {
	ctx := context.Background()
	adminUser := f.user(t, "admin.pn@example.org", f.police, core.RoleAgencyAdmin)
	colleague := f.user(t, "colega@example.org", f.police, core.RoleInvestigator)
	outsider := f.user(t, "ajeno@example.org", f.labour, core.RoleInvestigator)
	admin := core.Actor{UserID: adminUser.ID, AgencyID: f.police.ID, Roles: adminUser.Roles}
	users, err := f.svc.ListUsers(ctx, admin)
	if err != nil || len(users) != 2 {
		t.Fatalf("agency admin sees %d users (%v), want own agency's 2", len(users), err)
	}
	if _, err := f.svc.User(ctx, admin, outsider.ID); !core.Is(err, core.NotFound) {
		t.Errorf("other agency's user: %v, want not found", err)
	}
	if err := f.svc.SetDisabled(ctx, admin, outsider.ID, true); !core.Is(err, core.NotFound) {
		t.Errorf("disabling other agency's user: %v, want not found", err)
	}
	if err := f.svc.SetDisabled(ctx, admin, colleague.ID, true); err != nil {
		t.Errorf("disabling a colleague: %v", err)
	}
	if err := f.svc.SetDisabled(ctx, admin, admin.UserID, true); !core.Is(err, core.Forbidden) {
		t.Errorf("disabling oneself: %v, want forbidden", err)
	}
	_, err = f.svc.CreateUser(ctx, admin, accounts.NewUser{AgencyID: f.police.ID, Email: "nuevo@example.org", Name: "N",
		Roles: []core.Role{core.RoleSystemAdmin}, Password: goodPassword})
	if !core.Is(err, core.Forbidden) {
		t.Errorf("agency admin creating a system admin: %v", err)
	}
	_, err = f.svc.CreateUser(ctx, admin, accounts.NewUser{AgencyID: f.labour.ID, Email: "nuevo@example.org", Name: "N",
		Roles: []core.Role{core.RoleAnalyst}, Password: goodPassword})
	if !core.Is(err, core.Forbidden) {
		t.Errorf("agency admin creating a user in another agency: %v", err)
	}
	if _, err := f.svc.ListUsers(ctx, core.Actor{UserID: colleague.ID, AgencyID: f.police.ID, Roles: colleague.Roles}); !core.Is(err, core.Forbidden) {
		t.Errorf("investigator listing users: %v", err)
	}
}
