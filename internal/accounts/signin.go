package accounts

import (
	"context"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Login checks an email and password. On success it starts a session and returns its token
// (to be set as a cookie) and the stage the session is at. Failures are audited and counted
// for lockout; the message never says whether the email has an account.
func (s *Service) Login(ctx context.Context, email, password, lang string) (token string, stage Stage, err error) {
	email = NormaliseEmail(email)
	now := s.Now()
	key := HashSecret("login:" + email)
	var (
		th    Throttle
		cred  Credentials
		known bool
	)
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		if th, err = tx.LoginThrottle(ctx, key); err != nil {
			return err
		}
		cred, err = tx.UserCredentialsByEmail(ctx, email)
		switch {
		case err == nil:
			known = true
		case core.Is(err, core.NotFound):
			err = nil
		}
		return err
	})
	if err != nil {
		return "", "", err
	}
	th.Key = key
	var objectID string
	var objectAgency int64
	if known {
		objectID, objectAgency = id(cred.User.ID), cred.User.AgencyID
	}
	loginActor := core.Actor{UserID: 0}
	if known {
		loginActor = core.Actor{UserID: cred.User.ID, AgencyID: cred.User.AgencyID}
	}

	if now.Before(th.LockedUntil) {
		err := s.store.Write(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, loginActor, now, audit.Entry{Action: "login.refused_locked", ObjectType: "user",
				ObjectID: objectID, ObjectAgencyID: objectAgency})
		})
		if err != nil {
			return "", "", err
		}
		return "", "", core.Errorf(core.TooManyRequests, "login.locked")
	}

	hash := s.dummy()
	if known {
		hash = cred.PasswordHash
	}
	ok := CheckPassword(hash, password) && known && !cred.User.Disabled
	if !ok {
		th.Failures++
		th.UpdatedAt = now
		action := "login.failure"
		if th.Failures >= s.cfg.LockThreshold {
			lock := s.cfg.LockBase << min(th.Failures-s.cfg.LockThreshold, 20)
			if lock > s.cfg.LockMax || lock <= 0 {
				lock = s.cfg.LockMax
			}
			th.LockedUntil = now.Add(lock)
			action = "login.lockout"
		}
		err := s.store.Write(ctx, func(tx Tx) error {
			if err := tx.SaveLoginThrottle(ctx, th); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, loginActor, now, audit.Entry{Action: action, ObjectType: "user",
				ObjectID: objectID, ObjectAgencyID: objectAgency})
		})
		if err != nil {
			return "", "", err
		}
		if action == "login.lockout" {
			return "", "", core.Errorf(core.TooManyRequests, "login.locked")
		}
		return "", "", core.Errorf(core.Unauthenticated, "login.failed")
	}

	stage = s.stageAfterPassword(cred)
	plain, sessHash, err := newToken("")
	if err != nil {
		return "", "", core.Wrap(core.Internal, "error.internal", err)
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if th.Failures > 0 || !th.LockedUntil.IsZero() {
			if err := tx.SaveLoginThrottle(ctx, Throttle{Key: key, UpdatedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.CreateSession(ctx, Session{Hash: sessHash, UserID: cred.User.ID, Stage: stage, Lang: lang,
			CreatedAt: now, LastSeenAt: now}); err != nil {
			return err
		}
		action := "login.password"
		if stage == StageFull {
			action = "login.success"
		}
		return tx.AppendAudit(ctx, loginActor, now, audit.Entry{Action: action, ObjectType: "user",
			ObjectID: objectID, ObjectAgencyID: objectAgency})
	})
	if err != nil {
		return "", "", err
	}
	return plain, stage, nil
}

func (s *Service) stageAfterPassword(c Credentials) Stage {
	switch {
	case c.TOTPSecret != "":
		return StageSecondFactor
	case access.RequiresSecondFactor(c.User.Roles) && !s.cfg.SecondFactorWaived:
		return StageEnrol
	default:
		return StageFull
	}
}

// SessionInfo is a valid session with its user and the actor it acts as.
type SessionInfo struct {
	Session Session
	User    core.User
	Actor   core.Actor
}

// pendingTimeout bounds how long a half-signed-in session (password checked, second factor
// due) lives.
const pendingTimeout = 10 * time.Minute

// touchEvery limits session writes: last-seen is updated at most this often.
const touchEvery = time.Minute

// Authenticate returns the session for a cookie token. Expired sessions are removed and answer
// Unauthenticated, as do those of disabled users.
func (s *Service) Authenticate(ctx context.Context, token string) (SessionInfo, error) {
	if token == "" {
		return SessionInfo{}, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	hash := HashSecret(token)
	now := s.Now()
	var info SessionInfo
	var expired bool
	err := s.store.Read(ctx, func(tx Tx) error {
		sess, err := tx.SessionByHash(ctx, hash)
		if err != nil {
			return err
		}
		idle := s.cfg.IdleTimeout
		if sess.Stage != StageFull {
			idle = min(idle, pendingTimeout)
		}
		if now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > s.cfg.MaxSessionAge {
			expired = true
			return nil
		}
		c, err := tx.UserCredentialsByID(ctx, sess.UserID)
		if err != nil {
			return err
		}
		if c.User.Disabled {
			expired = true
			return nil
		}
		// A role that now requires a second factor applies to sessions already open.
		if sess.Stage == StageFull && c.TOTPSecret == "" && access.RequiresSecondFactor(c.User.Roles) && !s.cfg.SecondFactorWaived {
			sess.Stage = StageEnrol
		}
		actor, err := s.actorFor(tx, ctx, c.User, hash[:12])
		if err != nil {
			return err
		}
		info = SessionInfo{Session: sess, User: c.User, Actor: actor}
		return nil
	})
	if core.Is(err, core.NotFound) {
		return SessionInfo{}, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if err != nil {
		return SessionInfo{}, err
	}
	if expired {
		_ = s.store.Write(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, hash) })
		return SessionInfo{}, core.Errorf(core.Unauthenticated, "session.expired")
	}
	if now.Sub(info.Session.LastSeenAt) >= touchEvery {
		info.Session.LastSeenAt = now
		sess := info.Session
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.UpdateSession(ctx, sess) }); err != nil {
			return SessionInfo{}, err
		}
	}
	return info, nil
}

// CompleteSecondFactor checks a TOTP code or a recovery code for a session at the second-factor
// stage. On success the session is replaced by a new full one (a fresh token, so that a token
// seen before sign-in was complete is worthless) whose token is returned.
func (s *Service) CompleteSecondFactor(ctx context.Context, token, code string) (string, error) {
	info, err := s.Authenticate(ctx, token)
	if err != nil {
		return "", err
	}
	if info.Session.Stage != StageSecondFactor {
		return "", core.Errorf(core.Invalid, "totp.not_expected")
	}
	now := s.Now()
	key := HashSecret("totp:" + id(info.User.ID))
	var th Throttle
	var cred Credentials
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if th, err = tx.LoginThrottle(ctx, key); err != nil {
			return err
		}
		cred, err = tx.UserCredentialsByID(ctx, info.User.ID)
		return err
	}); err != nil {
		return "", err
	}
	th.Key = key
	if now.Before(th.LockedUntil) {
		return "", core.Errorf(core.TooManyRequests, "login.locked")
	}
	step := CheckTOTP(cred.TOTPSecret, code, now, cred.TOTPLastStep)
	usedRecovery := false
	plain, newHash, err := newToken("")
	if err != nil {
		return "", core.Wrap(core.Internal, "error.internal", err)
	}
	var failed bool
	err = s.store.Write(ctx, func(tx Tx) error {
		if step < 0 {
			ok, err := tx.UseRecoveryCode(ctx, info.User.ID, HashSecret(normaliseRecoveryCode(code)), now)
			if err != nil {
				return err
			}
			usedRecovery = ok
		}
		if step < 0 && !usedRecovery {
			failed = true
			th.Failures++
			th.UpdatedAt = now
			if th.Failures >= s.cfg.LockThreshold {
				lock := s.cfg.LockBase << min(th.Failures-s.cfg.LockThreshold, 20)
				if lock > s.cfg.LockMax || lock <= 0 {
					lock = s.cfg.LockMax
				}
				th.LockedUntil = now.Add(lock)
			}
			if err := tx.SaveLoginThrottle(ctx, th); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, info.Actor, now, audit.Entry{Action: "login.totp_failure", ObjectType: "user",
				ObjectID: id(info.User.ID), ObjectAgencyID: info.User.AgencyID})
		}
		if step >= 0 {
			if err := tx.SetTOTPLastStep(ctx, info.User.ID, step); err != nil {
				return err
			}
		}
		if err := tx.SaveLoginThrottle(ctx, Throttle{Key: key, UpdatedAt: now}); err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, info.Session.Hash); err != nil {
			return err
		}
		sess := info.Session
		sess.Hash, sess.Stage, sess.LastSeenAt, sess.PendingSecret = newHash, StageFull, now, ""
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		fields := []string{"totp"}
		if usedRecovery {
			fields = []string{"recovery_code"}
		}
		return tx.AppendAudit(ctx, info.Actor, now, audit.Entry{Action: "login.success", ObjectType: "user",
			ObjectID: id(info.User.ID), ObjectAgencyID: info.User.AgencyID, Fields: fields})
	})
	if err != nil {
		return "", err
	}
	if failed {
		return "", &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "code", Key: "totp.code_wrong"}}}
	}
	return plain, nil
}

// StartEnrolment creates a new TOTP secret for the session's user and keeps it in the session
// until a code confirms it. It returns the secret and the otpauth URI for the QR code.
func (s *Service) StartEnrolment(ctx context.Context, token string) (secret, uri string, err error) {
	info, err := s.Authenticate(ctx, token)
	if err != nil {
		return "", "", err
	}
	if info.Session.Stage == StageSecondFactor {
		return "", "", core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if info.Session.PendingSecret != "" {
		secret = info.Session.PendingSecret
	} else {
		if secret, err = NewTOTPSecret(); err != nil {
			return "", "", core.Wrap(core.Internal, "error.internal", err)
		}
		sess := info.Session
		sess.PendingSecret = secret
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.UpdateSession(ctx, sess) }); err != nil {
			return "", "", err
		}
	}
	return secret, TOTPURI(s.cfg.Issuer, info.User.Email, secret), nil
}

// ConfirmEnrolment checks a code against the pending secret; on success the second factor is
// on, the session is full, and the returned recovery codes are shown once.
func (s *Service) ConfirmEnrolment(ctx context.Context, token, code string) ([]string, error) {
	info, err := s.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	if info.Session.PendingSecret == "" || info.Session.Stage == StageSecondFactor {
		return nil, core.Errorf(core.Invalid, "totp.not_expected")
	}
	now := s.Now()
	step := CheckTOTP(info.Session.PendingSecret, code, now, 0)
	if step < 0 {
		return nil, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "code", Key: "totp.code_wrong"}}}
	}
	codes := newRecoveryCodes(10)
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = HashSecret(c)
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SetTOTP(ctx, info.User.ID, info.Session.PendingSecret, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, info.User.ID, hashes); err != nil {
			return err
		}
		sess := info.Session
		sess.PendingSecret, sess.Stage = "", StageFull
		if err := tx.UpdateSession(ctx, sess); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, info.Actor, now, audit.Entry{Action: "user.totp_enrol", ObjectType: "user",
			ObjectID: id(info.User.ID), ObjectAgencyID: info.User.AgencyID, Fields: []string{"totp", "recovery_codes"}})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// SetLanguage keeps the chosen interface language in the session.
func (s *Service) SetLanguage(ctx context.Context, token, lang string) error {
	info, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	sess := info.Session
	sess.Lang = lang
	return s.store.Write(ctx, func(tx Tx) error { return tx.UpdateSession(ctx, sess) })
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, token string) error {
	info, err := s.Authenticate(ctx, token)
	if err != nil {
		return nil // already gone
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.DeleteSession(ctx, info.Session.Hash); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, info.Actor, s.Now(), audit.Entry{Action: "logout", ObjectType: "user",
			ObjectID: id(info.User.ID), ObjectAgencyID: info.User.AgencyID})
	})
}

// LogoutEverywhere ends every session of the actor (on every device).
func (s *Service) LogoutEverywhere(ctx context.Context, actor core.Actor) error {
	if actor.UserID == 0 {
		return core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	return s.store.Write(ctx, func(tx Tx) error {
		n, err := tx.DeleteUserSessions(ctx, actor.UserID)
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "logout.everywhere", ObjectType: "user",
			ObjectID: id(actor.UserID), ObjectAgencyID: actor.AgencyID, Fields: []string{"sessions:" + id(n)}})
	})
}
