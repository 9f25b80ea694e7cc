package accounts

import (
	"context"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// tokenPrefix marks Ñandutí API tokens.
const tokenPrefix = "nnd_"

// CreateToken creates an API token for the actor and returns it in plain text; only its hash
// is kept, so this is the only time anyone sees it.
func (s *Service) CreateToken(ctx context.Context, actor core.Actor, name string) (string, APIToken, error) {
	if !access.CanManageOwnTokens(actor) {
		return "", APIToken{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	name = strings.TrimSpace(name)
	var v core.Validation
	checkText(&v, "name", name, 100)
	if err := v.Err(); err != nil {
		return "", APIToken{}, err
	}
	plain, hash, err := newToken(tokenPrefix)
	if err != nil {
		return "", APIToken{}, core.Wrap(core.Internal, "error.internal", err)
	}
	t := APIToken{UserID: actor.UserID, Name: name, Hash: hash, CreatedAt: s.Now()}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.CreateToken(ctx, &t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "token.create", ObjectType: "token",
			ObjectID: id(t.ID), ObjectAgencyID: actor.AgencyID, Fields: []string{"name"}})
	})
	return plain, t, err
}

// CreateTokenFor creates a token for the user with this email; the command line uses it, as
// the system actor, to give a program its credentials.
func (s *Service) CreateTokenFor(ctx context.Context, actor core.Actor, email, name string) (string, APIToken, error) {
	if !actor.System {
		return "", APIToken{}, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var u core.User
	if err := s.store.Read(ctx, func(tx Tx) error {
		c, err := tx.UserCredentialsByEmail(ctx, NormaliseEmail(email))
		u = c.User
		return err
	}); err != nil {
		return "", APIToken{}, err
	}
	if u.Disabled {
		return "", APIToken{}, core.Errorf(core.Invalid, "token.user_disabled")
	}
	owner := core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}
	plain, t, err := s.CreateToken(ctx, owner, name)
	return plain, t, err
}

// ListTokens lists the actor's tokens (never their secrets).
func (s *Service) ListTokens(ctx context.Context, actor core.Actor) ([]APIToken, error) {
	if !access.CanManageOwnTokens(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var out []APIToken
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListTokens(ctx, actor.UserID)
		return err
	})
	return out, err
}

// RevokeToken revokes one of the actor's tokens; another user's token is not found.
func (s *Service) RevokeToken(ctx context.Context, actor core.Actor, tokenID int64) error {
	if !access.CanManageOwnTokens(actor) {
		return notFound
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, actor.UserID, tokenID, s.Now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "token.revoke", ObjectType: "token",
			ObjectID: id(tokenID), ObjectAgencyID: actor.AgencyID})
	})
}

// RevokeTokenByID revokes any token; the command line uses it as the system actor.
func (s *Service) RevokeTokenByID(ctx context.Context, actor core.Actor, tokenID int64) error {
	if !actor.System {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, 0, tokenID, s.Now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "token.revoke", ObjectType: "token", ObjectID: id(tokenID)})
	})
}

// AuthenticateToken returns the actor for a bearer token. Revoked tokens and tokens of
// disabled users are refused.
func (s *Service) AuthenticateToken(ctx context.Context, plain string) (core.Actor, error) {
	unauth := core.Errorf(core.Unauthenticated, "error.unauthenticated")
	if !strings.HasPrefix(plain, tokenPrefix) {
		return core.Actor{}, unauth
	}
	hash := HashSecret(plain)
	var actor core.Actor
	var t APIToken
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if t, err = tx.TokenByHash(ctx, hash); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return unauth
		}
		c, err := tx.UserCredentialsByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		if c.User.Disabled {
			return unauth
		}
		actor, err = s.actorFor(tx, ctx, c.User, "t"+id(t.ID))
		return err
	})
	if core.Is(err, core.NotFound) {
		return core.Actor{}, unauth
	}
	if err != nil {
		return core.Actor{}, err
	}
	if now := s.Now(); now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.TouchToken(ctx, t.ID, now) }); err != nil {
			return core.Actor{}, err
		}
	}
	return actor, nil
}
