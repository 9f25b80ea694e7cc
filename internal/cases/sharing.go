package cases

import (
	"context"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Sharing is a case's sharing as its owner sees it: the grants and the requests.
type Sharing struct {
	Case     Case
	Shares   []Share
	Requests []AccessRequest
}

// ownedForSharing loads a case whose sharing the actor manages; others get not found, or
// forbidden when they may see the case but not manage it.
func ownedForSharing(ctx context.Context, tx Tx, actor core.Actor, caseID int64) (Case, error) {
	c, err := visible(ctx, tx, actor, caseID)
	if err != nil {
		return Case{}, err
	}
	if !access.CanEditCase(actor, c.AgencyID) {
		return Case{}, forbidden
	}
	return c, nil
}

// Sharing returns the case's grants and access requests, for its owner.
func (s *Service) Sharing(ctx context.Context, actor core.Actor, caseID int64) (Sharing, error) {
	var out Sharing
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if out.Case, err = ownedForSharing(ctx, tx, actor, caseID); err != nil {
			return err
		}
		if out.Shares, err = tx.ListCaseShares(ctx, caseID); err != nil {
			return err
		}
		if out.Requests, err = tx.ListAccessRequests(ctx, caseID); err != nil {
			return err
		}
		return s.readAudit(ctx, tx, actor, out.Case, "shares", "access_requests")
	})
	return out, err
}

// Share grants agencyID a level on the case, or changes the level it has.
func (s *Service) Share(ctx context.Context, actor core.Actor, caseID, agencyID int64, level core.ShareLevel) error {
	if _, ok := core.ParseShareLevel(string(level)); !ok {
		return invalid("level", "case.error.choice")
	}
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := ownedForSharing(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		return s.grant(ctx, tx, actor, c, agencyID, level, "case.share")
	})
}

func (s *Service) grant(ctx context.Context, tx Tx, actor core.Actor, c Case, agencyID int64, level core.ShareLevel, action string) error {
	if agencyID == c.AgencyID {
		return invalid("agency", "case.error.share_owner")
	}
	if _, err := tx.AgencyByID(ctx, agencyID); core.Is(err, core.NotFound) {
		return invalid("agency", "case.error.choice")
	} else if err != nil {
		return err
	}
	now := s.Now()
	if err := tx.PutCaseShare(ctx, Share{CaseID: c.ID, AgencyID: agencyID, Level: level, GrantedBy: actor.UserID, GrantedAt: now}); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: action, ObjectType: "case", ObjectID: id(c.ID),
		ObjectAgencyID: c.AgencyID, Fields: []string{"share.agency", "share.level"}})
}

// Revoke withdraws agencyID's access to the case: it no longer exists for that agency.
func (s *Service) Revoke(ctx context.Context, actor core.Actor, caseID, agencyID int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := ownedForSharing(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		if err := tx.DeleteCaseShare(ctx, c.ID, agencyID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.unshare", ObjectType: "case", ObjectID: id(c.ID),
			ObjectAgencyID: c.AgencyID, Fields: []string{"share.agency"}})
	})
}

// RequestAccess asks the owner of the case with this number for access, giving a reason. The
// answer is the same whether the case exists or not, so that a request cannot be used to
// learn of another agency's cases; only a request for an existing case reaches its owner.
func (s *Service) RequestAccess(ctx context.Context, actor core.Actor, number, reason string) error {
	if !access.CanRequestCaseAccess(actor) {
		return forbidden
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	reason = strings.TrimSpace(reason)
	var v core.Validation
	checkText(&v, "number", number, 40, true)
	checkText(&v, "reason", reason, 1000, true)
	if err := v.Err(); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		now := s.Now()
		entry := audit.Entry{Action: "case.access_request", ObjectType: "case", Fields: []string{"number", "reason"}}
		c, err := tx.CaseByNumber(ctx, number)
		switch {
		case core.Is(err, core.NotFound):
			return tx.AppendAudit(ctx, actor, now, entry)
		case err != nil:
			return err
		}
		entry.ObjectID, entry.ObjectAgencyID = id(c.ID), c.AgencyID
		if c.AgencyID != actor.AgencyID {
			r := AccessRequest{CaseID: c.ID, AgencyID: actor.AgencyID, RequestedBy: actor.UserID, Reason: reason,
				Status: RequestPending, CreatedAt: now}
			if err := tx.CreateAccessRequest(ctx, &r); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, now, entry)
	})
}

// Decide accepts a pending request at the chosen level or refuses it.
func (s *Service) Decide(ctx context.Context, actor core.Actor, caseID, requestID int64, accept bool, level core.ShareLevel) error {
	if accept {
		if _, ok := core.ParseShareLevel(string(level)); !ok {
			return invalid("level", "case.error.choice")
		}
	}
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := ownedForSharing(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		r, err := tx.AccessRequestByID(ctx, requestID)
		if err != nil {
			return err
		}
		if r.CaseID != c.ID {
			return notFound
		}
		if r.Status != RequestPending {
			return core.Errorf(core.Conflict, "case.error.request_decided")
		}
		now := s.Now()
		r.DecidedBy, r.DecidedAt = actor.UserID, now
		action := "case.access_refuse"
		if accept {
			r.Status, r.Level, action = RequestAccepted, level, "case.access_accept"
		} else {
			r.Status = RequestRefused
		}
		if err := tx.DecideAccessRequest(ctx, r); err != nil {
			return err
		}
		if accept {
			if err := s.grant(ctx, tx, actor, c, r.AgencyID, level, "case.share"); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: action, ObjectType: "case_access_request",
			ObjectID: id(r.ID), ObjectAgencyID: c.AgencyID, Fields: []string{"status", "level"}})
	})
}
