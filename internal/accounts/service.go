package accounts

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Config sets the service's policies. Zero values take the defaults of New.
type Config struct {
	Clock         core.Clock
	Password      PasswordParams
	IdleTimeout   time.Duration // a session unused this long ends
	MaxSessionAge time.Duration // a session ends this long after sign-in, used or not
	LockThreshold int           // consecutive failures before the first lock
	LockBase      time.Duration // first lock; each further failure doubles it
	LockMax       time.Duration
	Issuer        string // the name authenticator apps show
	// SecondFactorWaived lets users whose roles require a second factor in without one. Only
	// the demo sets it, and every page then says so.
	SecondFactorWaived bool
}

// Service is the accounts domain. Every entry point (web, API, command line) goes through it.
type Service struct {
	store Store
	cfg   Config
	// dummyHash is checked against when an email has no account, so that a sign-in takes as
	// long whether the account exists or not. It is made on first use: commands that never
	// sign anyone in should not pay for an argon2id hash.
	dummyOnce sync.Once
	dummyHash string
}

// New returns a Service with cfg's zero fields set to the defaults.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = DefaultPasswordParams
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxSessionAge == 0 {
		cfg.MaxSessionAge = 12 * time.Hour
	}
	if cfg.LockThreshold == 0 {
		cfg.LockThreshold = 5
	}
	if cfg.LockBase == 0 {
		cfg.LockBase = time.Minute
	}
	if cfg.LockMax == 0 {
		cfg.LockMax = time.Hour
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "Ñandutí"
	}
	return &Service{store: store, cfg: cfg}
}

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword("not a real password", s.cfg.Password) })
	return s.dummyHash
}

// SecondFactorWaived reports whether the demo waiver is on.
func (s *Service) SecondFactorWaived() bool { return s.cfg.SecondFactorWaived }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Clock.Now() }

var notFound = core.Errorf(core.NotFound, "error.not_found")

// ---- task forces and agencies ----

// EnsureTaskForce returns the task force with this name, creating it when absent.
func (s *Service) EnsureTaskForce(ctx context.Context, actor core.Actor, name, region string) (core.TaskForce, error) {
	if !access.CanManageAgencies(actor) {
		return core.TaskForce{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	name = strings.TrimSpace(name)
	var v core.Validation
	checkText(&v, "name", name, 200)
	if err := v.Err(); err != nil {
		return core.TaskForce{}, err
	}
	var tf core.TaskForce
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		tf, err = tx.TaskForceByName(ctx, name)
		if err == nil || !core.Is(err, core.NotFound) {
			return err
		}
		tf = core.TaskForce{Name: name, Region: strings.TrimSpace(region), CreatedAt: s.Now()}
		if err := tx.CreateTaskForce(ctx, &tf); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "taskforce.create", ObjectType: "taskforce",
			ObjectID: id(tf.ID), Fields: []string{"name", "region"}})
	})
	return tf, err
}

// ListTaskForces lists the task forces.
func (s *Service) ListTaskForces(ctx context.Context, actor core.Actor) ([]core.TaskForce, error) {
	if !access.CanListAgencies(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var out []core.TaskForce
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListTaskForces(ctx)
		return err
	})
	return out, err
}

// NewAgency is the input for creating an agency.
type NewAgency struct {
	TaskForceID int64
	Code        string
	Name        string
	Kind        core.AgencyKind
}

var agencyCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,15}$`)

// CreateAgency adds an agency to a task force.
func (s *Service) CreateAgency(ctx context.Context, actor core.Actor, in NewAgency) (core.Agency, error) {
	if !access.CanManageAgencies(actor) {
		return core.Agency{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	var v core.Validation
	if !agencyCode.MatchString(in.Code) {
		v.Add("code", "agency.code_invalid")
	}
	checkText(&v, "name", in.Name, 200)
	if !slices.Contains(core.AgencyKinds, in.Kind) {
		v.Add("kind", "agency.kind_invalid")
	}
	if err := v.Err(); err != nil {
		return core.Agency{}, err
	}
	a := core.Agency{TaskForceID: in.TaskForceID, Code: in.Code, Name: in.Name, Kind: in.Kind, CreatedAt: s.Now()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.AgencyByCode(ctx, a.Code); err == nil {
			return &core.Error{Code: core.Conflict, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "code", Key: "agency.code_taken"}}}
		} else if !core.Is(err, core.NotFound) {
			return err
		}
		if a.TaskForceID == 0 {
			tfs, err := tx.ListTaskForces(ctx)
			if err != nil {
				return err
			}
			if len(tfs) != 1 {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "task_force", Key: "agency.task_force_required"}}}
			}
			a.TaskForceID = tfs[0].ID
		}
		if err := tx.CreateAgency(ctx, &a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "agency.create", ObjectType: "agency",
			ObjectID: id(a.ID), ObjectAgencyID: a.ID, Fields: []string{"code", "name", "kind", "task_force"}})
	})
	return a, err
}

// ListAgencies lists every agency, for choosing one to share with or refer to.
func (s *Service) ListAgencies(ctx context.Context, actor core.Actor) ([]core.Agency, error) {
	if !access.CanListAgencies(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var out []core.Agency
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListAgencies(ctx)
		return err
	})
	return out, err
}

// Agency returns one agency.
func (s *Service) Agency(ctx context.Context, actor core.Actor, agencyID int64) (core.Agency, error) {
	if !access.CanListAgencies(actor) {
		return core.Agency{}, notFound
	}
	var a core.Agency
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		a, err = tx.AgencyByID(ctx, agencyID)
		return err
	})
	return a, err
}

// AgencyByCode returns the agency with this code.
func (s *Service) AgencyByCode(ctx context.Context, actor core.Actor, code string) (core.Agency, error) {
	if !access.CanListAgencies(actor) {
		return core.Agency{}, notFound
	}
	var a core.Agency
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		a, err = tx.AgencyByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
		return err
	})
	return a, err
}

// ---- users ----

// NewUser is the input for creating a user.
type NewUser struct {
	AgencyID int64
	Email    string
	Name     string
	Roles    []core.Role
	Password string
}

// NormaliseEmail is the form in which emails are stored and compared.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func checkEmail(v *core.Validation, email string) {
	at := strings.LastIndexByte(email, '@')
	if email == "" {
		v.Add("email", "error.required")
	} else if at < 1 || at == len(email)-1 || len(email) > 254 || strings.ContainsAny(email, " \t\r\n<>\"") {
		v.Add("email", "user.email_invalid")
	}
}

func checkText(v *core.Validation, field, value string, max int) {
	if value == "" {
		v.Add(field, "error.required")
	} else if utf8.RuneCountInString(value) > max {
		v.Add(field, "error.too_long", max)
	}
}

func checkPassword(v *core.Validation, field, pw string) {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLength:
		v.Add(field, "password.too_short", MinPasswordLength)
	case n > MaxPasswordLength:
		v.Add(field, "error.too_long", MaxPasswordLength)
	}
}

func checkRoles(v *core.Validation, roles []core.Role) {
	if len(roles) == 0 {
		v.Add("roles", "user.roles_required")
	}
	for _, r := range roles {
		if _, ok := core.ParseRole(string(r)); !ok {
			v.Add("roles", "user.role_unknown", string(r))
		}
	}
}

// CreateUser creates a staff account in an agency.
func (s *Service) CreateUser(ctx context.Context, actor core.Actor, in NewUser) (core.User, error) {
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	var v core.Validation
	checkEmail(&v, in.Email)
	checkText(&v, "name", in.Name, 200)
	checkRoles(&v, in.Roles)
	checkPassword(&v, "password", in.Password)
	if in.AgencyID == 0 {
		v.Add("agency", "error.required")
	}
	if err := v.Err(); err != nil {
		return core.User{}, err
	}
	if !access.CanManageUser(actor, 0, in.AgencyID) || !access.CanGrantRoles(actor, in.Roles) {
		return core.User{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	hash, err := HashPassword(in.Password, s.cfg.Password)
	if err != nil {
		return core.User{}, core.Wrap(core.Internal, "error.internal", err)
	}
	now := s.Now()
	u := core.User{AgencyID: in.AgencyID, Email: in.Email, Name: in.Name, Roles: in.Roles, PasswordChanged: now, CreatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.AgencyByID(ctx, in.AgencyID); err != nil {
			if core.Is(err, core.NotFound) {
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "agency", Key: "user.agency_unknown"}}}
			}
			return err
		}
		if err := tx.CreateUser(ctx, &u, hash); err != nil {
			if core.Is(err, core.Conflict) {
				return &core.Error{Code: core.Conflict, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "email", Key: "user.email_taken"}}, Err: err}
			}
			return err
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: "user.create", ObjectType: "user",
			ObjectID: id(u.ID), ObjectAgencyID: u.AgencyID, Fields: []string{"email", "name", "roles", "agency", "password"}})
	})
	return u, err
}

// ListUsers lists the staff the actor may administer.
func (s *Service) ListUsers(ctx context.Context, actor core.Actor) ([]core.User, error) {
	ok, all, agencyID := access.CanListUsers(actor)
	if !ok {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if all {
		agencyID = 0
	}
	var out []core.User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListUsers(ctx, agencyID)
		return err
	})
	return out, err
}

// User returns one user the actor may see; any other answers not found.
func (s *Service) User(ctx context.Context, actor core.Actor, userID int64) (core.User, error) {
	var u core.User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		u, err = tx.UserByID(ctx, userID)
		return err
	})
	if err != nil {
		return core.User{}, err
	}
	if !access.CanSeeUser(actor, u.ID, u.AgencyID) {
		return core.User{}, notFound
	}
	return u, nil
}

// UserByEmail returns the user with this email, if the actor may see them.
func (s *Service) UserByEmail(ctx context.Context, actor core.Actor, email string) (core.User, error) {
	var c Credentials
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		c, err = tx.UserCredentialsByEmail(ctx, NormaliseEmail(email))
		return err
	})
	if err != nil {
		return core.User{}, err
	}
	if !access.CanSeeUser(actor, c.User.ID, c.User.AgencyID) {
		return core.User{}, notFound
	}
	return c.User, nil
}

// manageUser runs fn on a user the actor may manage; a user the actor may not even see is not
// found, one they may see but not manage is forbidden.
func (s *Service) manageUser(ctx context.Context, actor core.Actor, userID int64, fn func(tx Tx, u core.User) error) error {
	return s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if !access.CanSeeUser(actor, u.ID, u.AgencyID) {
			return notFound
		}
		if !access.CanManageUser(actor, u.ID, u.AgencyID) {
			return core.Errorf(core.Forbidden, "error.forbidden")
		}
		return fn(tx, u)
	})
}

// SetDisabled disables or re-enables an account. Disabling ends its sessions at once; its API
// tokens stop working because authentication checks the account.
func (s *Service) SetDisabled(ctx context.Context, actor core.Actor, userID int64, disabled bool) error {
	return s.manageUser(ctx, actor, userID, func(tx Tx, u core.User) error {
		if err := tx.SetUserDisabled(ctx, u.ID, disabled); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: action, ObjectType: "user",
			ObjectID: id(u.ID), ObjectAgencyID: u.AgencyID, Fields: []string{"disabled"}})
	})
}

// SetRoles replaces a user's roles.
func (s *Service) SetRoles(ctx context.Context, actor core.Actor, userID int64, roles []core.Role) error {
	var v core.Validation
	checkRoles(&v, roles)
	if err := v.Err(); err != nil {
		return err
	}
	return s.manageUser(ctx, actor, userID, func(tx Tx, u core.User) error {
		if !access.CanGrantRoles(actor, roles) || !access.CanGrantRoles(actor, u.Roles) {
			return core.Errorf(core.Forbidden, "error.forbidden")
		}
		if err := tx.SetUserRoles(ctx, u.ID, roles); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "user.roles", ObjectType: "user",
			ObjectID: id(u.ID), ObjectAgencyID: u.AgencyID, Fields: []string{"roles"}})
	})
}

// ResetPassword sets a new password for another user and ends their sessions.
func (s *Service) ResetPassword(ctx context.Context, actor core.Actor, userID int64, password string) error {
	var v core.Validation
	checkPassword(&v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.cfg.Password)
	if err != nil {
		return core.Wrap(core.Internal, "error.internal", err)
	}
	return s.manageUser(ctx, actor, userID, func(tx Tx, u core.User) error {
		if err := tx.SetPassword(ctx, u.ID, hash, s.Now()); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "user.password_reset", ObjectType: "user",
			ObjectID: id(u.ID), ObjectAgencyID: u.AgencyID, Fields: []string{"password"}})
	})
}

// ResetSecondFactor removes a user's second factor (a lost phone); they enrol again at their
// next sign-in. Their sessions end.
func (s *Service) ResetSecondFactor(ctx context.Context, actor core.Actor, userID int64) error {
	return s.manageUser(ctx, actor, userID, func(tx Tx, u core.User) error {
		if err := tx.SetTOTP(ctx, u.ID, "", 0); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "user.totp_reset", ObjectType: "user",
			ObjectID: id(u.ID), ObjectAgencyID: u.AgencyID, Fields: []string{"totp", "recovery_codes"}})
	})
}

// ChangePassword changes the actor's own password after checking the current one, and ends
// the actor's other sessions.
func (s *Service) ChangePassword(ctx context.Context, actor core.Actor, current, next string) error {
	var v core.Validation
	checkPassword(&v, "new_password", next)
	if err := v.Err(); err != nil {
		return err
	}
	if actor.UserID == 0 {
		return core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	var c Credentials
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		c, err = tx.UserCredentialsByID(ctx, actor.UserID)
		return err
	}); err != nil {
		return err
	}
	if !CheckPassword(c.PasswordHash, current) {
		return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "current_password", Key: "password.current_wrong"}}}
	}
	hash, err := HashPassword(next, s.cfg.Password)
	if err != nil {
		return core.Wrap(core.Internal, "error.internal", err)
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SetPassword(ctx, actor.UserID, hash, s.Now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "user.password_change", ObjectType: "user",
			ObjectID: id(actor.UserID), ObjectAgencyID: actor.AgencyID, Fields: []string{"password"}})
	})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// actorFor builds the actor of a signed-in user.
func (s *Service) actorFor(tx Tx, ctx context.Context, u core.User, sessionRef string) (core.Actor, error) {
	ag, err := tx.AgencyByID(ctx, u.AgencyID)
	if err != nil {
		return core.Actor{}, err
	}
	return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, TaskForceID: ag.TaskForceID, Roles: u.Roles, SessionID: sessionRef}, nil
}
