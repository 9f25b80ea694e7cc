package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// contribute runs fn on a case the actor may add to, in a write transaction, and audits the
// change with action and fields.
func (s *Service) contribute(ctx context.Context, actor core.Actor, caseID int64, may func(core.Actor, core.ShareLevel) bool,
	action string, fields []string, fn func(tx Tx, c Case) (objectID int64, err error)) error {
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := visible(ctx, tx, actor, caseID)
		if err != nil {
			return err
		}
		if !may(actor, c.Level) {
			return forbidden
		}
		obj, err := fn(tx, c)
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: action, ObjectType: "case", ObjectID: id(c.ID),
			ObjectAgencyID: c.AgencyID, Fields: append(fields, "id:"+id(obj))})
	})
}

// read runs fn on a case the actor may see and audits the read of fields.
func (s *Service) read(ctx context.Context, actor core.Actor, caseID int64, fields []string, fn func(tx Tx, c Case) error) (Case, error) {
	var c Case
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = visible(ctx, tx, actor, caseID); err != nil {
			return err
		}
		if err := fn(tx, c); err != nil {
			return err
		}
		return s.readAudit(ctx, tx, actor, c, fields...)
	})
	return c, err
}

// ---- trafficking events ----

// EventInput adds an event to the timeline.
type EventInput struct {
	Kind        string
	OccurredOn  string
	Department  string
	District    string
	Place       string
	Description string
}

// AddEvent adds a trafficking event to the case's timeline.
func (s *Service) AddEvent(ctx context.Context, actor core.Actor, caseID int64, in EventInput) (Event, error) {
	in.Place, in.Description = strings.TrimSpace(in.Place), strings.TrimSpace(in.Description)
	var v core.Validation
	checkChoice(&v, "kind", in.Kind, EventKinds, true)
	checkDate(&v, "occurred_on", in.OccurredOn, true)
	if in.OccurredOn > s.today() {
		v.Add("occurred_on", "case.error.future")
	}
	checkPlace(&v, "", in.Department, in.District, false)
	checkText(&v, "place", in.Place, 200, false)
	checkNonIdentifying(&v, "place", in.Place)
	checkText(&v, "description", in.Description, 2000, true)
	if err := v.Err(); err != nil {
		return Event{}, err
	}
	e := Event{CaseID: caseID, AgencyID: actor.AgencyID, Kind: in.Kind, OccurredOn: in.OccurredOn, Department: in.Department,
		District: in.District, Place: in.Place, Description: in.Description, CreatedBy: actor.UserID, CreatedAt: s.Now()}
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.event.add",
		[]string{"event.kind", "event.occurred_on", "event.place", "event.description"}, func(tx Tx, c Case) (int64, error) {
			err := tx.CreateCaseEvent(ctx, &e)
			return e.ID, err
		})
	return e, err
}

// Events returns the case's timeline, oldest first.
func (s *Service) Events(ctx context.Context, actor core.Actor, caseID int64) (Case, []Event, error) {
	var out []Event
	c, err := s.read(ctx, actor, caseID, []string{"events"}, func(tx Tx, c Case) error {
		var err error
		out, err = tx.ListCaseEvents(ctx, c.ID)
		return err
	})
	return c, out, err
}

// ---- investigation plan ----

// TaskInput creates or changes a task.
type TaskInput struct {
	Title            string
	AssignedAgencyID int64
	AssignedUserID   int64
	DueOn            string
	Status           string
}

// checkAssignee confirms that a task goes to an agency that works on the case (the owner or
// an agency with operational access or more) and, when an officer is named, one of its users.
func checkAssignee(ctx context.Context, tx Tx, c Case, in TaskInput) error {
	if in.AssignedAgencyID != c.AgencyID {
		level, err := tx.CaseShare(ctx, c.ID, in.AssignedAgencyID)
		if err != nil {
			return err
		}
		if !level.AtLeast(core.ShareOperational) {
			return invalid("assigned_agency", "case.error.assignee_agency")
		}
	}
	if in.AssignedUserID != 0 {
		u, err := tx.UserByID(ctx, in.AssignedUserID)
		if core.Is(err, core.NotFound) || (err == nil && u.AgencyID != in.AssignedAgencyID) {
			return invalid("assigned_user", "case.error.officer")
		}
		return err
	}
	return nil
}

func (s *Service) checkTask(in *TaskInput, requireStatus bool) error {
	in.Title = strings.TrimSpace(in.Title)
	var v core.Validation
	checkText(&v, "title", in.Title, 300, true)
	checkDate(&v, "due_on", in.DueOn, false)
	checkChoice(&v, "status", in.Status, TaskStatuses, requireStatus)
	if in.AssignedAgencyID <= 0 {
		v.Add("assigned_agency", "error.required")
	}
	return v.Err()
}

// AddTask adds a task to the case's investigation plan.
func (s *Service) AddTask(ctx context.Context, actor core.Actor, caseID int64, in TaskInput) (Task, error) {
	if in.Status == "" {
		in.Status = "open"
	}
	if err := s.checkTask(&in, true); err != nil {
		return Task{}, err
	}
	now := s.Now()
	t := Task{CaseID: caseID, Title: in.Title, AssignedAgencyID: in.AssignedAgencyID, AssignedUserID: in.AssignedUserID,
		DueOn: in.DueOn, Status: in.Status, Version: 1, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.task.add",
		[]string{"task.title", "task.assigned", "task.due_on", "task.status"}, func(tx Tx, c Case) (int64, error) {
			if err := checkAssignee(ctx, tx, c, in); err != nil {
				return 0, err
			}
			err := tx.CreateCaseTask(ctx, &t)
			return t.ID, err
		})
	t.Overdue = s.overdue(t)
	return t, err
}

// UpdateTask changes a task; version is the one the actor read.
func (s *Service) UpdateTask(ctx context.Context, actor core.Actor, caseID, taskID int64, version int, in TaskInput) (Task, error) {
	if err := s.checkTask(&in, true); err != nil {
		return Task{}, err
	}
	var t Task
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.task.update",
		[]string{"task.title", "task.assigned", "task.due_on", "task.status"}, func(tx Tx, c Case) (int64, error) {
			var err error
			if t, err = tx.CaseTaskByID(ctx, taskID); err != nil {
				return 0, err
			}
			if t.CaseID != c.ID {
				return 0, notFound
			}
			if t.Version != version {
				return 0, staleError()
			}
			if err := checkAssignee(ctx, tx, c, in); err != nil {
				return 0, err
			}
			t.Title, t.AssignedAgencyID, t.AssignedUserID, t.DueOn, t.Status = in.Title, in.AssignedAgencyID, in.AssignedUserID, in.DueOn, in.Status
			t.Version++
			t.UpdatedAt = s.Now()
			return t.ID, tx.UpdateCaseTask(ctx, t)
		})
	t.Overdue = s.overdue(t)
	return t, err
}

func (s *Service) overdue(t Task) bool {
	return t.DueOn != "" && t.DueOn < s.today() && (t.Status == "open" || t.Status == "in_progress")
}

// Tasks returns the case's investigation plan.
func (s *Service) Tasks(ctx context.Context, actor core.Actor, caseID int64) (Case, []Task, error) {
	var out []Task
	c, err := s.read(ctx, actor, caseID, []string{"tasks"}, func(tx Tx, c Case) error {
		var err error
		out, err = tx.ListCaseTasks(ctx, c.ID)
		return err
	})
	for i := range out {
		out[i].Overdue = s.overdue(out[i])
	}
	return c, out, err
}

// OverdueTasks lists the unfinished tasks assigned to the actor's agency whose due date has
// passed, on cases the actor may still see.
func (s *Service) OverdueTasks(ctx context.Context, actor core.Actor) ([]Task, error) {
	if !access.WorksCases(actor) {
		return nil, forbidden
	}
	var out []Task
	err := s.store.Write(ctx, func(tx Tx) error {
		list, err := tx.ListOpenTasksOfAgency(ctx, actor.AgencyID, s.today(), 500)
		if err != nil {
			return err
		}
		for _, t := range list {
			if _, err := visible(ctx, tx, actor, t.CaseID); core.Is(err, core.NotFound) {
				continue
			} else if err != nil {
				return err
			}
			t.Overdue = true
			out = append(out, t)
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.task.overdue", ObjectType: "case",
			ObjectAgencyID: actor.AgencyID, Fields: []string{"tasks"}})
	})
	return out, err
}

// ---- evidence ----

// EvidenceInput logs an item of evidence. File is the attached file's content, if any: only
// its SHA-256 and size are kept in the log.
type EvidenceInput struct {
	Item        string
	Description string
	CollectedBy string
	CollectedOn string
	File        []byte
	Holder      string // who holds it after collection, the chain's first entry
}

// AddEvidence logs an item of evidence with the first entry of its chain of custody.
func (s *Service) AddEvidence(ctx context.Context, actor core.Actor, caseID int64, in EvidenceInput) (Evidence, error) {
	in.Item, in.Description = strings.TrimSpace(in.Item), strings.TrimSpace(in.Description)
	in.CollectedBy, in.Holder = strings.TrimSpace(in.CollectedBy), strings.TrimSpace(in.Holder)
	var v core.Validation
	checkText(&v, "item", in.Item, 200, true)
	checkNonIdentifying(&v, "item", in.Item)
	checkText(&v, "description", in.Description, 2000, false)
	checkText(&v, "collected_by", in.CollectedBy, 200, true)
	checkDate(&v, "collected_on", in.CollectedOn, true)
	if in.CollectedOn > s.today() {
		v.Add("collected_on", "case.error.future")
	}
	checkText(&v, "holder", in.Holder, 200, true)
	if err := v.Err(); err != nil {
		return Evidence{}, err
	}
	now := s.Now()
	e := Evidence{CaseID: caseID, AgencyID: actor.AgencyID, Item: in.Item, Description: in.Description,
		CollectedBy: in.CollectedBy, CollectedOn: in.CollectedOn, CreatedBy: actor.UserID, CreatedAt: now}
	if in.File != nil {
		sum := sha256.Sum256(in.File)
		e.SHA256, e.Size = hex.EncodeToString(sum[:]), int64(len(in.File))
	}
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.evidence.add",
		[]string{"evidence.item", "evidence.description", "evidence.collected_by", "evidence.sha256", "custody"}, func(tx Tx, c Case) (int64, error) {
			if err := tx.CreateCaseEvidence(ctx, &e); err != nil {
				return 0, err
			}
			first := Custody{EvidenceID: e.ID, At: now, Action: "collected", Holder: in.Holder, ByUser: actor.UserID, ByAgency: actor.AgencyID}
			if err := tx.AppendCustody(ctx, &first); err != nil {
				return 0, err
			}
			e.Custody = []Custody{first}
			return e.ID, nil
		})
	return e, err
}

// CustodyInput appends an entry to an item's chain of custody.
type CustodyInput struct {
	Action string
	Holder string
	Note   string
}

// AppendCustody adds an entry to the chain of custody of an item; entries are never changed
// or removed.
func (s *Service) AppendCustody(ctx context.Context, actor core.Actor, caseID, evidenceID int64, in CustodyInput) (Custody, error) {
	in.Holder, in.Note = strings.TrimSpace(in.Holder), strings.TrimSpace(in.Note)
	var v core.Validation
	checkChoice(&v, "action", in.Action, CustodyActions, true)
	checkText(&v, "holder", in.Holder, 200, true)
	checkText(&v, "note", in.Note, 1000, false)
	checkNonIdentifying(&v, "note", in.Note)
	if err := v.Err(); err != nil {
		return Custody{}, err
	}
	cu := Custody{EvidenceID: evidenceID, At: s.Now(), Action: in.Action, Holder: in.Holder, Note: in.Note,
		ByUser: actor.UserID, ByAgency: actor.AgencyID}
	err := s.contribute(ctx, actor, caseID, access.CanContribute, "case.custody.append",
		[]string{"custody.action", "custody.holder", "custody.note"}, func(tx Tx, c Case) (int64, error) {
			e, err := tx.CaseEvidenceByID(ctx, evidenceID)
			if err != nil {
				return 0, err
			}
			if e.CaseID != c.ID {
				return 0, notFound
			}
			return evidenceID, tx.AppendCustody(ctx, &cu)
		})
	return cu, err
}

// Evidence returns the case's evidence log with each item's chain of custody.
func (s *Service) Evidence(ctx context.Context, actor core.Actor, caseID int64) (Case, []Evidence, error) {
	var out []Evidence
	c, err := s.read(ctx, actor, caseID, []string{"evidence", "custody"}, func(tx Tx, c Case) error {
		var err error
		if out, err = tx.ListCaseEvidence(ctx, c.ID); err != nil {
			return err
		}
		for i := range out {
			if out[i].Custody, err = tx.ListCustody(ctx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return c, out, err
}

// ---- prosecution ----

// articleForm is how a legal article is written: a law or code and an article, for example
// "Ley 4788/2012 art. 5" or "Código Penal art. 129b".
var articleForm = regexp.MustCompile(`(?i)^(ley|código|codigo|decreto)\s.+\sart\.?\s*[0-9]+[a-z]?(\s.*)?$`)

// ChargeInput files a charge.
type ChargeInput struct {
	CasePersonID int64
	Article      string
	FiledOn      string
}

// AddCharge files a charge against a person of the case (a suspect), under a legal article.
func (s *Service) AddCharge(ctx context.Context, actor core.Actor, caseID int64, in ChargeInput) (Charge, error) {
	in.Article = strings.Join(strings.Fields(in.Article), " ")
	var v core.Validation
	checkText(&v, "article", in.Article, 200, true)
	if in.Article != "" && !articleForm.MatchString(in.Article) {
		v.Add("article", "case.error.article")
	}
	checkDate(&v, "filed_on", in.FiledOn, true)
	if in.FiledOn > s.today() {
		v.Add("filed_on", "case.error.future")
	}
	if err := v.Err(); err != nil {
		return Charge{}, err
	}
	ch := Charge{CaseID: caseID, CasePersonID: in.CasePersonID, Article: in.Article, FiledOn: in.FiledOn, Version: 1,
		CreatedBy: actor.UserID, AgencyID: actor.AgencyID, CreatedAt: s.Now()}
	err := s.contribute(ctx, actor, caseID, access.CanProsecute, "case.charge.add",
		[]string{"charge.person", "charge.article", "charge.filed_on"}, func(tx Tx, c Case) (int64, error) {
			if in.CasePersonID != 0 {
				p, err := tx.CasePersonByID(ctx, in.CasePersonID)
				if core.Is(err, core.NotFound) || (err == nil && (p.CaseID != c.ID || p.Role != "suspect")) {
					return 0, invalid("case_person", "case.error.charge_person")
				}
				if err != nil {
					return 0, err
				}
			}
			err := tx.CreateCaseCharge(ctx, &ch)
			return ch.ID, err
		})
	return ch, err
}

// OutcomeInput records the outcome of a charge.
type OutcomeInput struct {
	Outcome   string
	OutcomeOn string
	Sentence  string
}

// RecordOutcome records a charge's outcome (conviction, acquittal, dismissal) and, for a
// conviction, the sentence. version is the charge's version the actor read.
func (s *Service) RecordOutcome(ctx context.Context, actor core.Actor, caseID, chargeID int64, version int, in OutcomeInput) (Charge, error) {
	in.Sentence = strings.TrimSpace(in.Sentence)
	var v core.Validation
	checkChoice(&v, "outcome", in.Outcome, Outcomes, true)
	checkDate(&v, "outcome_on", in.OutcomeOn, true)
	if in.OutcomeOn > s.today() {
		v.Add("outcome_on", "case.error.future")
	}
	checkText(&v, "sentence", in.Sentence, 500, in.Outcome == "conviction")
	if in.Outcome != "conviction" && in.Sentence != "" {
		v.Add("sentence", "case.error.sentence_without_conviction")
	}
	if err := v.Err(); err != nil {
		return Charge{}, err
	}
	var ch Charge
	err := s.contribute(ctx, actor, caseID, access.CanProsecute, "case.charge.outcome",
		[]string{"charge.outcome", "charge.outcome_on", "charge.sentence"}, func(tx Tx, c Case) (int64, error) {
			var err error
			if ch, err = tx.CaseChargeByID(ctx, chargeID); err != nil {
				return 0, err
			}
			if ch.CaseID != c.ID {
				return 0, notFound
			}
			if ch.Version != version {
				return 0, core.Errorf(core.Conflict, "case.error.stale")
			}
			if in.OutcomeOn < ch.FiledOn {
				return 0, invalid("outcome_on", "case.error.outcome_before_filing")
			}
			ch.Outcome, ch.OutcomeOn, ch.Sentence = in.Outcome, in.OutcomeOn, in.Sentence
			ch.Version++
			return ch.ID, tx.UpdateCaseCharge(ctx, ch)
		})
	return ch, err
}

// HearingInput records a hearing.
type HearingInput struct {
	HeldOn string
	Kind   string
	Court  string
	Result string
}

// AddHearing records a court hearing of the case.
func (s *Service) AddHearing(ctx context.Context, actor core.Actor, caseID int64, in HearingInput) (Hearing, error) {
	in.Court, in.Result = strings.TrimSpace(in.Court), strings.TrimSpace(in.Result)
	var v core.Validation
	checkDate(&v, "held_on", in.HeldOn, true)
	checkChoice(&v, "kind", in.Kind, HearingKinds, true)
	checkText(&v, "court", in.Court, 200, true)
	checkText(&v, "result", in.Result, 2000, false)
	checkNonIdentifying(&v, "result", in.Result)
	if err := v.Err(); err != nil {
		return Hearing{}, err
	}
	h := Hearing{CaseID: caseID, HeldOn: in.HeldOn, Kind: in.Kind, Court: in.Court, Result: in.Result,
		CreatedBy: actor.UserID, CreatedAt: s.Now()}
	err := s.contribute(ctx, actor, caseID, access.CanProsecute, "case.hearing.add",
		[]string{"hearing.held_on", "hearing.kind", "hearing.court", "hearing.result"}, func(tx Tx, c Case) (int64, error) {
			err := tx.CreateCaseHearing(ctx, &h)
			return h.ID, err
		})
	return h, err
}

// Prosecution returns the case's charges and hearings.
func (s *Service) Prosecution(ctx context.Context, actor core.Actor, caseID int64) (Case, Prosecution, error) {
	var out Prosecution
	c, err := s.read(ctx, actor, caseID, []string{"charges", "hearings"}, func(tx Tx, c Case) error {
		var err error
		if out.Charges, err = tx.ListCaseCharges(ctx, c.ID); err != nil {
			return err
		}
		out.Hearings, err = tx.ListCaseHearings(ctx, c.ID)
		return err
	})
	return c, out, err
}
