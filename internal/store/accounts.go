package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
)

// Accounts returns the accounts domain's view of the database.
func (db *DB) Accounts() accounts.Store { return accountsStore{db} }

type accountsStore struct{ db *DB }

func (s accountsStore) Read(ctx context.Context, fn func(accounts.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s accountsStore) Write(ctx context.Context, fn func(accounts.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// ---- task forces and agencies ----

func (tx *Tx) CreateTaskForce(ctx context.Context, tf *core.TaskForce) error {
	id, err := tx.insertID(ctx, `INSERT INTO task_forces (name, region, created_at) VALUES ($1, $2, $3) RETURNING id`,
		tf.Name, tf.Region, tf.CreatedAt)
	tf.ID = id
	return err
}

func scanTaskForce(row interface{ Scan(...any) error }) (core.TaskForce, error) {
	var tf core.TaskForce
	err := row.Scan(&tf.ID, &tf.Name, &tf.Region, &tf.CreatedAt)
	tf.CreatedAt = utc(tf.CreatedAt)
	return tf, err
}

func (tx *Tx) TaskForceByName(ctx context.Context, name string) (core.TaskForce, error) {
	tf, err := scanTaskForce(tx.queryRow(ctx, `SELECT id, name, region, created_at FROM task_forces WHERE name = $1`, name))
	return tf, tx.scanErr(err)
}

func (tx *Tx) ListTaskForces(ctx context.Context) ([]core.TaskForce, error) {
	return collect(tx, ctx, `SELECT id, name, region, created_at FROM task_forces ORDER BY name`, nil,
		func(r *sql.Rows) (core.TaskForce, error) { return scanTaskForce(r) })
}

func (tx *Tx) CreateAgency(ctx context.Context, a *core.Agency) error {
	id, err := tx.insertID(ctx, `INSERT INTO agencies (task_force_id, code, name, kind, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, a.TaskForceID, a.Code, a.Name, string(a.Kind), a.CreatedAt)
	a.ID = id
	return err
}

const agencyColumns = `id, task_force_id, code, name, kind, created_at`

func scanAgency(row interface{ Scan(...any) error }) (core.Agency, error) {
	var a core.Agency
	var kind string
	err := row.Scan(&a.ID, &a.TaskForceID, &a.Code, &a.Name, &kind, &a.CreatedAt)
	a.Kind = core.AgencyKind(kind)
	a.CreatedAt = utc(a.CreatedAt)
	return a, err
}

func (tx *Tx) AgencyByID(ctx context.Context, id int64) (core.Agency, error) {
	a, err := scanAgency(tx.queryRow(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE id = $1`, id))
	return a, tx.scanErr(err)
}

func (tx *Tx) AgencyByCode(ctx context.Context, code string) (core.Agency, error) {
	a, err := scanAgency(tx.queryRow(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE code = $1`, code))
	return a, tx.scanErr(err)
}

func (tx *Tx) ListAgencies(ctx context.Context) ([]core.Agency, error) {
	return collect(tx, ctx, `SELECT `+agencyColumns+` FROM agencies ORDER BY name`, nil,
		func(r *sql.Rows) (core.Agency, error) { return scanAgency(r) })
}

// ---- users ----

func joinRoles(roles []core.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoles(s string) []core.Role {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]core.Role, len(parts))
	for i, p := range parts {
		out[i] = core.Role(p)
	}
	return out
}

func (tx *Tx) CreateUser(ctx context.Context, u *core.User, passwordHash string) error {
	id, err := tx.insertID(ctx, `INSERT INTO users (agency_id, email, name, roles, password_hash, password_changed_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.AgencyID, u.Email, u.Name, joinRoles(u.Roles), passwordHash, u.PasswordChanged, u.CreatedAt)
	u.ID = id
	return err
}

const credentialColumns = `id, agency_id, email, name, roles, disabled, password_changed_at, created_at,
	password_hash, totp_secret, totp_last_step`

func scanCredentials(row interface{ Scan(...any) error }) (accounts.Credentials, error) {
	var c accounts.Credentials
	var roles string
	err := row.Scan(&c.User.ID, &c.User.AgencyID, &c.User.Email, &c.User.Name, &roles, &c.User.Disabled,
		&c.User.PasswordChanged, &c.User.CreatedAt, &c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep)
	c.User.Roles = splitRoles(roles)
	c.User.TOTPEnrolled = c.TOTPSecret != ""
	c.User.PasswordChanged = utc(c.User.PasswordChanged)
	c.User.CreatedAt = utc(c.User.CreatedAt)
	return c, err
}

func (tx *Tx) UserByID(ctx context.Context, id int64) (core.User, error) {
	c, err := tx.UserCredentialsByID(ctx, id)
	return c.User, err
}

func (tx *Tx) UserCredentialsByID(ctx context.Context, id int64) (accounts.Credentials, error) {
	c, err := scanCredentials(tx.queryRow(ctx, `SELECT `+credentialColumns+` FROM users WHERE id = $1`, id))
	return c, tx.scanErr(err)
}

func (tx *Tx) UserCredentialsByEmail(ctx context.Context, email string) (accounts.Credentials, error) {
	c, err := scanCredentials(tx.queryRow(ctx, `SELECT `+credentialColumns+` FROM users WHERE email = $1`, email))
	return c, tx.scanErr(err)
}

func (tx *Tx) ListUsers(ctx context.Context, agencyID int64) ([]core.User, error) {
	return collect(tx, ctx, `SELECT `+credentialColumns+` FROM users WHERE $1 = 0 OR agency_id = $1 ORDER BY email`, []any{agencyID},
		func(r *sql.Rows) (core.User, error) {
			c, err := scanCredentials(r)
			return c.User, err
		})
}

func (tx *Tx) updateUser(ctx context.Context, query string, args ...any) error {
	res, err := tx.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	return tx.updateUser(ctx, `UPDATE users SET disabled = $2 WHERE id = $1`, id, disabled)
}

func (tx *Tx) SetUserRoles(ctx context.Context, id int64, roles []core.Role) error {
	return tx.updateUser(ctx, `UPDATE users SET roles = $2 WHERE id = $1`, id, joinRoles(roles))
}

func (tx *Tx) SetPassword(ctx context.Context, id int64, hash string, at time.Time) error {
	return tx.updateUser(ctx, `UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, id, hash, at)
}

func (tx *Tx) SetTOTP(ctx context.Context, id int64, secret string, lastStep int64) error {
	return tx.updateUser(ctx, `UPDATE users SET totp_secret = $2, totp_last_step = $3 WHERE id = $1`, id, secret, lastStep)
}

func (tx *Tx) SetTOTPLastStep(ctx context.Context, id int64, step int64) error {
	return tx.updateUser(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1`, id, step)
}

func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
		userID, hash, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ---- lockout ----

func (tx *Tx) LoginThrottle(ctx context.Context, key string) (accounts.Throttle, error) {
	t := accounts.Throttle{Key: key}
	var locked sql.NullTime
	err := tx.queryRow(ctx, `SELECT failures, locked_until, updated_at FROM login_throttle WHERE key = $1`, key).
		Scan(&t.Failures, &locked, &t.UpdatedAt)
	if err == sql.ErrNoRows {
		return t, nil
	}
	if locked.Valid {
		t.LockedUntil = utc(locked.Time)
	}
	t.UpdatedAt = utc(t.UpdatedAt)
	return t, tx.scanErr(err)
}

func (tx *Tx) SaveLoginThrottle(ctx context.Context, t accounts.Throttle) error {
	_, err := tx.exec(ctx, `INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
		updated_at = excluded.updated_at`, t.Key, t.Failures, nullTime(t.LockedUntil), t.UpdatedAt)
	return err
}

// ---- sessions ----

func (tx *Tx) CreateSession(ctx context.Context, s accounts.Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (hash, user_id, stage, lang, pending_secret, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.Hash, s.UserID, string(s.Stage), s.Lang, s.PendingSecret, s.CreatedAt, s.LastSeenAt)
	return err
}

func (tx *Tx) SessionByHash(ctx context.Context, hash string) (accounts.Session, error) {
	var s accounts.Session
	var stage string
	err := tx.queryRow(ctx, `SELECT hash, user_id, stage, lang, pending_secret, created_at, last_seen_at
		FROM sessions WHERE hash = $1`, hash).
		Scan(&s.Hash, &s.UserID, &stage, &s.Lang, &s.PendingSecret, &s.CreatedAt, &s.LastSeenAt)
	s.Stage = accounts.Stage(stage)
	s.CreatedAt, s.LastSeenAt = utc(s.CreatedAt), utc(s.LastSeenAt)
	return s, tx.scanErr(err)
}

func (tx *Tx) UpdateSession(ctx context.Context, s accounts.Session) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET stage = $2, lang = $3, pending_secret = $4, last_seen_at = $5 WHERE hash = $1`,
		s.Hash, string(s.Stage), s.Lang, s.PendingSecret, s.LastSeenAt)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) DeleteSession(ctx context.Context, hash string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return err
}

func (tx *Tx) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ---- API tokens ----

func (tx *Tx) CreateToken(ctx context.Context, t *accounts.APIToken) error {
	id, err := tx.insertID(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.CreatedAt)
	t.ID = id
	return err
}

func scanToken(row interface{ Scan(...any) error }) (accounts.APIToken, error) {
	var t accounts.APIToken
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &used, &revoked)
	t.CreatedAt = utc(t.CreatedAt)
	if used.Valid {
		t.LastUsedAt = utc(used.Time)
	}
	if revoked.Valid {
		t.RevokedAt = utc(revoked.Time)
	}
	return t, err
}

const tokenColumns = `id, user_id, name, hash, created_at, last_used_at, revoked_at`

func (tx *Tx) TokenByHash(ctx context.Context, hash string) (accounts.APIToken, error) {
	t, err := scanToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
	return t, tx.scanErr(err)
}

func (tx *Tx) ListTokens(ctx context.Context, userID int64) ([]accounts.APIToken, error) {
	return collect(tx, ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id`, []any{userID},
		func(r *sql.Rows) (accounts.APIToken, error) { return scanToken(r) })
}

// RevokeToken revokes token id of userID (any user's when userID is 0).
func (tx *Tx) RevokeToken(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND ($2 = 0 OR user_id = $2) AND revoked_at IS NULL`,
		id, userID, at)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, at)
	return err
}
