package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Sealer seals and opens the body of a note or attachment for its place (table, column, row):
// a random data key per record, wrapped by the key ring. The persons module's key ring
// provides it.
type Sealer interface {
	Seal(table, column string, rowID int64, plain []byte) (sealed, wrappedKey []byte, kekID string, err error)
	Open(table, column string, rowID int64, sealed, wrappedKey []byte) ([]byte, error)
}

func (s *Service) checkPersonInput(in *PersonInput) error {
	var v core.Validation
	if in.PersonID <= 0 {
		v.Add("person_id", "error.required")
	}
	checkChoice(&v, "role", in.Role, PersonRoles, true)
	var roles []string
	for _, r := range in.PerpetratorRoles {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	in.PerpetratorRoles = roles
	for _, r := range roles {
		if !slices.Contains(PerpetratorRoles, r) {
			v.Add("perpetrator_roles", "case.error.choice")
			break
		}
	}
	if len(roles) > 0 && in.Role != "suspect" {
		v.Add("perpetrator_roles", "case.error.perpetrator_roles_suspect")
	}
	victim := in.Role == "victim" || in.Role == "presumed_victim"
	if victim {
		if in.VictimStatus == "" {
			in.VictimStatus = "possible"
		}
		checkChoice(&v, "victim_status", in.VictimStatus, VictimStatuses, true)
		checkChoice(&v, "status_decided_by", in.StatusDecidedBy, DecidingOrgs, in.VictimStatus != "possible")
	} else if in.VictimStatus != "" || in.StatusDecidedBy != "" {
		v.Add("victim_status", "case.error.victim_status_victims")
	}
	return v.Err()
}

// AddPerson puts a person in a case in a role. A person may be in several cases.
func (s *Service) AddPerson(ctx context.Context, actor core.Actor, caseID int64, in PersonInput) (CasePerson, error) {
	if err := s.checkPersonInput(&in); err != nil {
		return CasePerson{}, err
	}
	p := CasePerson{CaseID: caseID, PersonID: in.PersonID, Role: in.Role, PerpetratorRoles: in.PerpetratorRoles,
		VictimStatus: in.VictimStatus, StatusDecidedBy: in.StatusDecidedBy, AgencyID: actor.AgencyID,
		CreatedBy: actor.UserID, CreatedAt: s.Now()}
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.person.add",
		[]string{"person.id", "person.role", "person.perpetrator_roles", "person.victim_status"}, func(tx Tx, c Case) (int64, error) {
			// Only a person the actor may see can be put in a case; without the persons
			// directory nobody can (fail closed). Checked after the case access, so that an
			// actor who may not touch the case learns nothing about the person.
			if s.cfg.Directory == nil {
				return 0, forbidden
			}
			if err := s.cfg.Directory.Exists(ctx, actor, in.PersonID); core.Is(err, core.NotFound) {
				return 0, invalid("person_id", "case.error.person")
			} else if err != nil {
				return 0, err
			}
			err := tx.AddCasePerson(ctx, &p)
			if core.Is(err, core.Conflict) {
				return 0, invalid("role", "case.error.person_twice")
			}
			return p.ID, err
		})
	return p, err
}

// UpdatePerson changes a person's part in a case: their role details and victim status.
func (s *Service) UpdatePerson(ctx context.Context, actor core.Actor, caseID, casePersonID int64, in PersonInput) (CasePerson, error) {
	var p CasePerson
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.person.update",
		[]string{"person.perpetrator_roles", "person.victim_status", "person.status_decided_by"}, func(tx Tx, c Case) (int64, error) {
			var err error
			if p, err = tx.CasePersonByID(ctx, casePersonID); err != nil {
				return 0, err
			}
			if p.CaseID != c.ID {
				return 0, notFound
			}
			in.PersonID, in.Role = p.PersonID, p.Role
			if err := s.checkPersonInput(&in); err != nil {
				return 0, err
			}
			p.PerpetratorRoles, p.VictimStatus, p.StatusDecidedBy = in.PerpetratorRoles, in.VictimStatus, in.StatusDecidedBy
			return p.ID, tx.UpdateCasePerson(ctx, p)
		})
	return p, err
}

// pseudonyms fills each person's pseudonym from the directory, or from the id without one.
func (s *Service) pseudonyms(ctx context.Context, ids []int64) (map[int64]string, error) {
	if s.cfg.Directory != nil {
		return s.cfg.Directory.Pseudonyms(ctx, ids)
	}
	out := map[int64]string{}
	for _, pid := range ids {
		out[pid] = fmt.Sprintf("P-%06d", pid)
	}
	return out, nil
}

// identityFields are the audit names of what a reveal shows.
var identityFields = []string{"name", "birth_date", "document"}

// Persons returns the persons of a case by pseudonym; to actors who may see identities at the
// case's full level it adds each identity, recording every one of them in the audit chain as
// person.identity.read in the same transaction as the read.
func (s *Service) Persons(ctx context.Context, actor core.Actor, caseID int64) (Case, []CasePerson, error) {
	var out []CasePerson
	c, err := s.read(ctx, actor, caseID, []string{"persons"}, func(tx Tx, c Case) error {
		var err error
		if out, err = tx.ListCasePersons(ctx, c.ID); err != nil {
			return err
		}
		if len(out) == 0 || !access.CanSeeCaseIdentities(actor, c.Level) || s.cfg.Directory == nil {
			return nil
		}
		for _, p := range out {
			if err := tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "person.identity.read", ObjectType: "person",
				ObjectID: id(p.PersonID), ObjectAgencyID: c.AgencyID, Fields: append([]string{"case:" + id(c.ID)}, identityFields...)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		return c, out, err
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.PersonID
	}
	names, err := s.pseudonyms(ctx, ids)
	if err != nil {
		return Case{}, nil, err
	}
	var idents map[int64]Identity
	if access.CanSeeCaseIdentities(actor, c.Level) && s.cfg.Directory != nil {
		if idents, err = s.cfg.Directory.Identities(ctx, ids); err != nil {
			return Case{}, nil, err
		}
	}
	var links map[int64][]int64
	if s.cfg.Screenings != nil {
		if links, err = s.cfg.Screenings.ForPersons(ctx, actor, ids); err != nil {
			return Case{}, nil, err
		}
	}
	for i := range out {
		out[i].Pseudonym = names[out[i].PersonID]
		if ident, ok := idents[out[i].PersonID]; ok {
			out[i].Identity = &ident
		}
		out[i].Screenings = links[out[i].PersonID]
	}
	return c, out, nil
}

// ---- referrals ----

func (s *Service) checkReferral(in *ReferralInput) error {
	in.OutsideService, in.OverrideReason = strings.TrimSpace(in.OutsideService), strings.TrimSpace(in.OverrideReason)
	var v core.Validation
	if in.CasePersonID <= 0 {
		v.Add("case_person", "error.required")
	}
	checkChoice(&v, "service", in.Service, ReferralServices, true)
	switch {
	case in.ToAgencyID == 0 && in.OutsideService == "":
		v.Add("to_agency", "case.error.referral_destination")
	case in.ToAgencyID != 0 && in.OutsideService != "":
		v.Add("outside_service", "case.error.referral_two_destinations")
	}
	checkText(&v, "outside_service", in.OutsideService, 200, false)
	checkChoice(&v, "consent", in.Consent, Consents, true)
	switch in.Consent {
	case "refused":
		v.Add("consent", "case.error.consent_refused")
	case "override":
		checkText(&v, "override_reason", in.OverrideReason, 1000, true)
	default:
		if in.OverrideReason != "" {
			v.Add("override_reason", "case.error.override_without_override")
		}
	}
	return v.Err()
}

// Refer sends a victim of the case to a service. A referral needs the person's consent (or
// their guardian's); without it, it can be sent only when the consent is overridden with a
// reason, and the override is recorded in the audit chain as its own action.
func (s *Service) Refer(ctx context.Context, actor core.Actor, caseID int64, in ReferralInput) (Referral, error) {
	if err := s.checkReferral(&in); err != nil {
		return Referral{}, err
	}
	now := s.Now()
	r := Referral{CaseID: caseID, CasePersonID: in.CasePersonID, Service: in.Service, ToAgencyID: in.ToAgencyID,
		OutsideService: in.OutsideService, Consent: in.Consent, OverrideReason: in.OverrideReason, Status: "pending",
		FromAgencyID: actor.AgencyID, CreatedBy: actor.UserID, CreatedAt: now, SentAt: now, Version: 1}
	err := s.store.Write(ctx, func(tx Tx) error {
		c, err := visible(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		if !access.CanContribute(actor, c.Level) {
			return forbidden
		}
		p, err := tx.CasePersonByID(ctx, in.CasePersonID)
		if core.Is(err, core.NotFound) || (err == nil && (p.CaseID != c.ID || (p.Role != "victim" && p.Role != "presumed_victim"))) {
			return invalid("case_person", "case.error.referral_person")
		}
		if err != nil {
			return err
		}
		if in.ToAgencyID != 0 {
			if _, err := tx.AgencyByID(ctx, in.ToAgencyID); core.Is(err, core.NotFound) {
				return invalid("to_agency", "case.error.choice")
			} else if err != nil {
				return err
			}
		}
		if err := tx.CreateReferral(ctx, &r); err != nil {
			return err
		}
		fields := []string{"referral.person", "referral.service", "referral.destination", "referral.consent"}
		if err := tx.AppendAudit(ctx, actor, now, audit.Entry{Action: "case.referral.send", ObjectType: "case_referral",
			ObjectID: id(r.ID), ObjectAgencyID: c.AgencyID, Fields: fields}); err != nil {
			return err
		}
		if in.Consent == "override" {
			return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: "case.referral.consent_override", ObjectType: "case_referral",
				ObjectID: id(r.ID), ObjectAgencyID: c.AgencyID, Fields: []string{"referral.consent", "referral.override_reason"}})
		}
		return nil
	})
	return r, err
}

// referralAccess loads a referral and says whether the actor sends it (works on its case) or
// receives it; others get not found.
func (s *Service) referralAccess(ctx context.Context, tx Tx, actor core.Actor, referralID int64) (r Referral, c Case, sender, receiver bool, err error) {
	if r, err = tx.ReferralByID(ctx, referralID); err != nil {
		return
	}
	if c, err = tx.CaseByID(ctx, r.CaseID); err != nil {
		return
	}
	if c.Level, err = levelIn(ctx, tx, actor, c); err != nil {
		return
	}
	sender = access.CanContribute(actor, c.Level)
	receiver = r.ToAgencyID != 0 && access.CanSeeReferral(actor, r.ToAgencyID)
	switch {
	case sender || receiver:
	case access.CanSeeCase(c.Level):
		err = forbidden
	default:
		err = notFound
	}
	return
}

// referralMoves are the status changes each side may make: the receiving agency answers and
// completes, the sending side revokes.
var receiverMoves = map[string][]string{"pending": {"accepted", "rejected"}, "accepted": {"done"}}
var senderMoves = map[string][]string{"pending": {"revoked"}, "accepted": {"revoked"}}

// SetReferralStatus moves a referral: the receiving agency accepts, rejects or completes it;
// the sending side revokes it.
func (s *Service) SetReferralStatus(ctx context.Context, actor core.Actor, referralID int64, version int, status string) (Referral, error) {
	if !slices.Contains(ReferralStatuses, status) {
		return Referral{}, invalid("status", "case.error.choice")
	}
	var r Referral
	err := s.store.Write(ctx, func(tx Tx) error {
		var c Case
		var sender, receiver bool
		var err error
		if r, c, sender, receiver, err = s.referralAccess(ctx, tx, actor, referralID); err != nil {
			return err
		}
		allowed := (receiver && slices.Contains(receiverMoves[r.Status], status)) || (sender && slices.Contains(senderMoves[r.Status], status))
		if !allowed {
			return invalid("status", "case.error.referral_transition")
		}
		if r.Version != version {
			return staleError()
		}
		r.Status = status
		r.Version++
		if err := tx.UpdateReferral(ctx, r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.referral.status", ObjectType: "case_referral",
			ObjectID: id(r.ID), ObjectAgencyID: c.AgencyID, Fields: []string{"referral.status"}})
	})
	return r, err
}

// AddFollowUp records a follow-up of a referral: a service delivered, a note, or both.
func (s *Service) AddFollowUp(ctx context.Context, actor core.Actor, referralID int64, delivered, note string) (FollowUp, error) {
	note = strings.TrimSpace(note)
	var v core.Validation
	checkChoice(&v, "delivered", delivered, ReferralServices, false)
	checkText(&v, "note", note, 2000, delivered == "")
	checkNonIdentifying(&v, "note", note)
	if err := v.Err(); err != nil {
		return FollowUp{}, err
	}
	f := FollowUp{ReferralID: referralID, At: s.Now(), Delivered: delivered, Note: note, ByUser: actor.UserID, ByAgency: actor.AgencyID}
	err := s.store.Write(ctx, func(tx Tx) error {
		r, c, _, _, err := s.referralAccess(ctx, tx, actor, referralID)
		if err != nil {
			return err
		}
		if r.Status == "revoked" || r.Status == "rejected" {
			return invalid("note", "case.error.referral_closed")
		}
		if err := tx.AddFollowUp(ctx, &f); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, f.At, audit.Entry{Action: "case.referral.follow_up", ObjectType: "case_referral",
			ObjectID: id(r.ID), ObjectAgencyID: c.AgencyID, Fields: []string{"follow_up.delivered", "follow_up.note"}})
	})
	return f, err
}

// Referral returns one referral with its follow-ups to its sender or its receiver; the
// receiver sees the person by pseudonym and nothing else of the case.
func (s *Service) Referral(ctx context.Context, actor core.Actor, referralID int64) (Referral, error) {
	var r Referral
	var personID int64
	err := s.store.Write(ctx, func(tx Tx) error {
		var c Case
		var err error
		if r, c, _, _, err = s.referralAccess(ctx, tx, actor, referralID); err != nil {
			return err
		}
		if r.FollowUps, err = tx.ListFollowUps(ctx, r.ID); err != nil {
			return err
		}
		p, err := tx.CasePersonByID(ctx, r.CasePersonID)
		if err != nil {
			return err
		}
		personID = p.PersonID
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.referral.read", ObjectType: "case_referral",
			ObjectID: id(r.ID), ObjectAgencyID: c.AgencyID, Fields: []string{"referral", "follow_ups"}})
	})
	if err != nil {
		return Referral{}, err
	}
	names, err := s.pseudonyms(ctx, []int64{personID})
	r.Pseudonym = names[personID]
	return r, err
}

// Referrals returns the referrals made in a case, for those who work on it.
func (s *Service) Referrals(ctx context.Context, actor core.Actor, caseID int64) (Case, []Referral, error) {
	var out []Referral
	c, err := s.read(ctx, actor, caseID, []string{"referrals"}, func(tx Tx, c Case) error {
		var err error
		out, err = tx.ListCaseReferrals(ctx, c.ID)
		return err
	})
	return c, out, err
}

// Received returns the referrals sent to the actor's agency, each with the person's pseudonym.
func (s *Service) Received(ctx context.Context, actor core.Actor) ([]Referral, error) {
	if !access.WorksCases(actor) {
		return nil, forbidden
	}
	var out []Referral
	var ids []int64
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.ListReferralsTo(ctx, actor.AgencyID); err != nil {
			return err
		}
		for _, r := range out {
			p, err := tx.CasePersonByID(ctx, r.CasePersonID)
			if err != nil {
				return err
			}
			ids = append(ids, p.PersonID)
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.referral.list", ObjectType: "case_referral",
			ObjectAgencyID: actor.AgencyID, Fields: []string{"referral"}})
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	names, err := s.pseudonyms(ctx, ids)
	for i := range out {
		out[i].Pseudonym = names[ids[i]]
	}
	return out, err
}

// ---- notes and attachments ----

// AddNote adds a note to a case. A note about a person (casePersonID not 0) is sealed, and
// so is every attachment; a note about the case itself is plain text, like the case's facts.
func (s *Service) AddNote(ctx context.Context, actor core.Actor, caseID, casePersonID int64, kind string, body []byte) (Note, error) {
	if kind == NoteCase && casePersonID != 0 {
		kind = NotePerson
	}
	var v core.Validation
	checkChoice(&v, "kind", kind, []string{NoteCase, NotePerson, NoteAttachment}, true)
	switch {
	case len(body) == 0:
		v.Add("body", "error.required")
	case kind != NoteAttachment && len(body) > 20000:
		v.Add("body", "case.error.too_long", 20000)
	case len(body) > 10<<20:
		v.Add("body", "case.error.file_too_large", 10)
	}
	if kind == NotePerson && casePersonID == 0 {
		v.Add("case_person", "error.required")
	}
	if err := v.Err(); err != nil {
		return Note{}, err
	}
	sealed := kind != NoteCase
	if sealed && s.cfg.Sealer == nil {
		return Note{}, core.Errorf(core.Conflict, "case.error.no_key_ring")
	}
	sum := sha256.Sum256(body)
	n := StoredNote{Note: Note{CaseID: caseID, CasePersonID: casePersonID, Kind: kind, SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(body)), AgencyID: actor.AgencyID, CreatedBy: actor.UserID, CreatedAt: s.Now(), Sealed: sealed}}
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.note.add", []string{"note." + kind}, func(tx Tx, c Case) (int64, error) {
		if casePersonID != 0 {
			p, err := tx.CasePersonByID(ctx, casePersonID)
			if core.Is(err, core.NotFound) || (err == nil && p.CaseID != c.ID) {
				return 0, invalid("case_person", "case.error.person")
			}
			if err != nil {
				return 0, err
			}
		}
		if !sealed {
			n.Body = body
			err := tx.CreateCaseNote(ctx, &n)
			return n.ID, err
		}
		// The associated data binds the ciphertext to its row, so the row comes first.
		if err := tx.CreateCaseNote(ctx, &n); err != nil {
			return 0, err
		}
		ct, key, kek, err := s.cfg.Sealer.Seal("case_notes", "body", n.ID, body)
		if err != nil {
			return 0, core.Wrap(core.Internal, "error.internal", err)
		}
		n.Body, n.DataKey, n.KEKID = ct, key, kek
		return n.ID, tx.SetCaseNoteBody(ctx, n)
	})
	out := n.Note
	out.Body = body
	return out, err
}

// Notes lists a case's notes and attachments. Bodies of case notes are included; notes about
// persons are opened only for actors who may see identities at full level, each opening
// audited as person.identity.read; attachments are listed without their content (see
// Attachment).
func (s *Service) Notes(ctx context.Context, actor core.Actor, caseID int64) (Case, []Note, error) {
	var out []Note
	c, err := s.read(ctx, actor, caseID, []string{"notes"}, func(tx Tx, c Case) error {
		stored, err := tx.ListCaseNotes(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, n := range stored {
			note := n.Note
			note.Body = nil
			switch n.Kind {
			case NoteCase:
				note.Body = n.Body
			case NotePerson:
				if access.CanSeeCaseIdentities(actor, c.Level) && s.cfg.Sealer != nil {
					if note.Body, err = s.cfg.Sealer.Open("case_notes", "body", n.ID, n.Body, n.DataKey); err != nil {
						return core.Wrap(core.Internal, "error.internal", err)
					}
					p, err := tx.CasePersonByID(ctx, n.CasePersonID)
					if err != nil {
						return err
					}
					if err := tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "person.identity.read", ObjectType: "person",
						ObjectID: id(p.PersonID), ObjectAgencyID: c.AgencyID, Fields: []string{"case:" + id(c.ID), "note:" + id(n.ID)}}); err != nil {
						return err
					}
				}
			}
			out = append(out, note)
		}
		return nil
	})
	return c, out, err
}

// Attachment opens one sealed attachment of a case, auditing the read.
func (s *Service) Attachment(ctx context.Context, actor core.Actor, caseID, noteID int64) (Note, error) {
	var note Note
	_, err := s.read(ctx, actor, caseID, []string{"attachment:" + id(noteID)}, func(tx Tx, c Case) error {
		n, err := tx.CaseNoteByID(ctx, noteID)
		if err != nil {
			return err
		}
		if n.CaseID != c.ID || n.Kind != NoteAttachment {
			return notFound
		}
		if s.cfg.Sealer == nil {
			return core.Errorf(core.Conflict, "case.error.no_key_ring")
		}
		note = n.Note
		if note.Body, err = s.cfg.Sealer.Open("case_notes", "body", n.ID, n.Body, n.DataKey); err != nil {
			return core.Wrap(core.Internal, "error.internal", err)
		}
		return nil
	})
	return note, err
}

// PersonShareLevel is the highest level at which a case that includes the person reaches the
// actor's agency: full when the agency owns such a case, the share level otherwise, and
// core.ShareNone when no case of the person reaches it. The persons module asks it to decide
// how much of a person another agency sees.
func (s *Service) PersonShareLevel(ctx context.Context, actor core.Actor, personID int64) (core.ShareLevel, error) {
	if actor.AgencyID == 0 {
		return core.ShareNone, nil
	}
	level := core.ShareNone
	err := s.store.Read(ctx, func(tx Tx) error {
		levels, err := tx.PersonCaseLevels(ctx, personID, actor.AgencyID)
		for _, l := range levels {
			if l.AtLeast(level) {
				level = l
			}
		}
		return err
	})
	return level, err
}

// Roster returns the persons of a case by pseudonym only, without revealing anyone: for
// choosing a person in a form (the accused of a charge, the person referred).
func (s *Service) Roster(ctx context.Context, actor core.Actor, caseID int64) ([]CasePerson, error) {
	var out []CasePerson
	err := s.store.Read(ctx, func(tx Tx) error {
		c, err := visible(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		out, err = tx.ListCasePersons(ctx, c.ID)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.PersonID
	}
	names, err := s.pseudonyms(ctx, ids)
	for i := range out {
		out[i].Pseudonym = names[out[i].PersonID]
	}
	return out, err
}
