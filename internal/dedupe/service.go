package dedupe

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/linkage"
	"nanduti/internal/persons"
)

// Identities opens sealed identities without checking access or auditing: the persons
// service's OpenIdentities. The dedupe service checks access and audits every reveal itself.
type Identities interface {
	OpenIdentities(ctx context.Context, ids []int64) (map[int64]persons.Identity, error)
}

// CaseAccess asks the owner of a case for access: the cases service's RequestAccess.
type CaseAccess interface {
	RequestAccess(ctx context.Context, actor core.Actor, number, reason string) error
}

// Config tunes the service.
type Config struct {
	Clock core.Clock
	// Cases, when set, carries an access request to the case that holds the other record;
	// without it (or when no case holds the record) the other agency gets a dedupe notice only.
	Cases CaseAccess
	// PageSize is how many persons the job opens at a time (default 1000).
	PageSize int
	// ListLimit bounds the candidates a list shows (default 200).
	ListLimit int
}

// Service is the dedupe domain.
type Service struct {
	store Store
	ids   Identities
	cfg   Config
}

// New returns a Service.
func New(store Store, ids Identities, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 1000
	}
	if cfg.ListLimit <= 0 {
		cfg.ListLimit = 200
	}
	return &Service{store: store, ids: ids, cfg: cfg}
}

// Audit actions and object types of this package.
const (
	ActionRun           = "dedupe.run"
	ActionList          = "dedupe.candidate.list"
	ActionRead          = "dedupe.candidate.read"
	ActionConfirm       = "dedupe.confirm"
	ActionReject        = "dedupe.reject"
	ActionUndo          = "dedupe.undo"
	ActionAccessRequest = "dedupe.access_request"
	ActionMerge         = "person.merge"
	ActionMergeUndo     = "person.merge.undo"
	ActionMergeRead     = "person.merge.read"

	ObjectCandidate = "dedupe_candidate"
	ObjectRun       = "dedupe_run"
)

var (
	notFound  = core.Errorf(core.NotFound, "error.not_found")
	forbidden = core.Errorf(core.Forbidden, "error.forbidden")
)

func oid(id int64) string { return strconv.FormatInt(id, 10) }

// ---- the job ----

// RunOptions tune one run of the job.
type RunOptions struct {
	Threshold float64
	// Progress, when set, is told each stage ("open", "compare", "store") and how far it is;
	// total is 0 when unknown.
	Progress func(stage string, done, total int)
}

// Summary says what a run did, in counts only: it is printed, logged and audited.
type Summary struct {
	Persons   int
	Compared  int64
	Found     int // pairs at or above the threshold
	New       int
	Updated   int
	Withdrawn int
	Skipped   int // found again but already decided (rejected or merged)
	EM        bool
	Threshold float64
	Duration  time.Duration
	Model     string
}

// SubjectOf turns a person into what the job compares.
func SubjectOf(id persons.Identity, p persons.Profile) Subject {
	s := Subject{
		Given:       linkage.NameTokens(id.GivenNames),
		Surnames:    linkage.NameTokens(id.PaternalSurname + " " + id.MaternalSurname),
		Sex:         p.Gender,
		Citizenship: p.Citizenship,
		Phones:      id.Phones,
	}
	if d, err := time.Parse(time.DateOnly, id.BirthDate); err == nil {
		s.Birth = d
	}
	for _, d := range append([]persons.Document{id.Document}, id.NationalityDocuments...) {
		if n := linkage.NormalizeDocument(d.Number); n != "" && !slices.Contains(s.Documents, n) {
			s.Documents = append(s.Documents, n)
		}
	}
	return s
}

// Run finds likely duplicates among all persons of every agency and stores them as
// candidates. Identities are opened page by page into memory and dropped with the run; only
// ids, weights and agreement levels are written. Pairs already rejected or merged are not
// proposed again; open candidates no longer found are withdrawn.
func (s *Service) Run(ctx context.Context, actor core.Actor, opt RunOptions) (Summary, error) {
	if !access.CanRunDedupe(actor) {
		return Summary{}, forbidden
	}
	start := time.Now()
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	var subjects []Subject
	var ids []int64
	var after int64
	for {
		var page []persons.Record
		err := s.store.Read(ctx, func(tx Tx) error {
			var err error
			page, err = tx.DedupePersonPage(ctx, after, s.cfg.PageSize)
			return err
		})
		if err != nil {
			return Summary{}, err
		}
		if len(page) == 0 {
			break
		}
		pids := make([]int64, len(page))
		for i, r := range page {
			pids[i] = r.ID
		}
		idents, err := s.ids.OpenIdentities(ctx, pids)
		if err != nil {
			return Summary{}, err
		}
		for _, r := range page {
			subjects = append(subjects, SubjectOf(idents[r.ID], r.Profile))
			ids = append(ids, r.ID)
		}
		after = page[len(page)-1].ID
		progress("open", len(ids), 0)
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
	}
	threshold := opt.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	pairs, st, err := Find(ctx, subjects, Options{Threshold: threshold, Progress: func(done, total int) {
		progress("compare", done, total)
	}})
	subjects = nil
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Persons: st.Subjects, Compared: st.Compared, Found: len(pairs), EM: st.EstimatedByEM,
		Threshold: threshold, Model: st.Model}
	err = s.store.Write(ctx, func(tx Tx) error {
		now := s.cfg.Clock.Now()
		existing, err := tx.DedupeCandidateStates(ctx)
		if err != nil {
			return err
		}
		merged, err := tx.ActivePersonMerges(ctx)
		if err != nil {
			return err
		}
		seen := make(map[[2]int64]bool, len(pairs))
		for n, p := range pairs {
			a, b := ids[p.A], ids[p.B]
			if a > b {
				a, b = b, a
			}
			key := [2]int64{a, b}
			seen[key] = true
			if root(merged, a) == root(merged, b) {
				sum.Skipped++
				continue
			}
			c, ok := existing[key]
			switch {
			case !ok:
				c = Candidate{PersonA: a, PersonB: b, Weight: p.Weight, Levels: p.Levels, Status: StatusOpen, FoundAt: now, UpdatedAt: now}
				if err := tx.InsertDedupeCandidate(ctx, &c); err != nil {
					return err
				}
				sum.New++
			case c.Status == StatusOpen || c.Status == StatusWithdrawn:
				c.Weight, c.Levels, c.Status, c.UpdatedAt = p.Weight, p.Levels, StatusOpen, now
				if err := tx.UpdateDedupeCandidate(ctx, c); err != nil {
					return err
				}
				sum.Updated++
			default:
				sum.Skipped++
			}
			if (n+1)%1000 == 0 {
				progress("store", n+1, len(pairs))
			}
		}
		for key, c := range existing {
			if c.Status == StatusOpen && !seen[key] {
				c.Status, c.UpdatedAt = StatusWithdrawn, now
				if err := tx.UpdateDedupeCandidate(ctx, c); err != nil {
					return err
				}
				sum.Withdrawn++
			}
		}
		progress("store", len(pairs), len(pairs))
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionRun, ObjectType: ObjectRun,
			Fields: []string{"dedupe_candidates"}})
	})
	sum.Duration = time.Since(start)
	return sum, err
}

// root follows active merges to the record that stands for the person.
func root(merged map[int64]int64, id int64) int64 {
	for range 64 {
		next, ok := merged[id]
		if !ok {
			return id
		}
		id = next
	}
	return id
}

// ---- what actors see ----

// Side is one person of a candidate as the actor may see them. Identity is set only when the
// actor may see it and the call reveals it (and audits that it did).
type Side struct {
	PersonID   int64
	Pseudonym  string
	AgencyID   int64
	AgencyName string
	Kind       persons.Kind
	Profile    persons.Profile
	CreatedAt  time.Time
	View       access.View
	Identity   *persons.Identity
}

// MergeInfo is the merge a candidate's confirmation wrote.
type MergeInfo struct {
	ID                  int64
	CanonicalPersonID   int64
	ConfirmedAt         time.Time
	ConfirmedAgencyName string
	Active              bool
	UndoneAt            time.Time
}

// View is a candidate as one actor sees it. With Sight SightOneSide only ID, Status, Own and
// Requested are set: the other record's agency, pseudonym, weight and levels stay unknown.
type View struct {
	ID     int64
	Sight  access.DedupeSight
	Status string
	// Both sides: A and B (ids ascending), the weight and the levels.
	A, B   *Side
	Weight float64
	Levels []int8
	// CanDecide: the actor sees both identities and may confirm, reject or undo.
	CanDecide bool
	Merge     *MergeInfo
	// One side: the actor's own visible record.
	Own *Side
	// Requested: the actor's agency has asked for access to the other record.
	Requested  bool
	CanRequest bool
	// Notices told to the actor's agency about this candidate.
	Notices []NoticeView
}

// NoticeView is a notice as the told agency sees it.
type NoticeView struct {
	CandidateID    int64
	Kind           string
	FromAgencyName string
	// Own is the pseudonym of the told agency's record the request was about.
	Own        string
	CaseID     int64
	CaseNumber string
	CreatedAt  time.Time
}

// viewOf is how much of a person the actor may see: persons' rule, with the level at which
// the person's cases reach the actor's agency.
func viewOf(ctx context.Context, tx Tx, actor core.Actor, r persons.Record) (access.View, error) {
	share := core.ShareNone
	if actor.AgencyID != r.AgencyID && !actor.System {
		levels, err := tx.PersonCaseLevels(ctx, r.ID, actor.AgencyID)
		if err != nil {
			return access.ViewNone, err
		}
		for _, l := range levels {
			if l.AtLeast(share) {
				share = l
			}
		}
	}
	return access.PersonView(actor, r.AgencyID, share), nil
}

// loaded is a candidate with its two persons and the actor's view of each.
type loaded struct {
	c            Candidate
	ra, rb       persons.Record
	viewA, viewB access.View
	sight        access.DedupeSight
}

func (s *Service) load(ctx context.Context, tx Tx, actor core.Actor, c Candidate, recs map[int64]persons.Record) (loaded, error) {
	l := loaded{c: c}
	var ok bool
	if l.ra, ok = recs[c.PersonA]; !ok {
		return l, nil
	}
	if l.rb, ok = recs[c.PersonB]; !ok {
		return l, nil
	}
	var err error
	if l.viewA, err = viewOf(ctx, tx, actor, l.ra); err != nil {
		return l, err
	}
	if l.viewB, err = viewOf(ctx, tx, actor, l.rb); err != nil {
		return l, err
	}
	l.sight = access.CandidateSight(actor, l.viewA, l.viewB)
	return l, nil
}

func records(ctx context.Context, tx Tx, ids []int64) (map[int64]persons.Record, error) {
	rs, err := tx.PersonsByIDs(ctx, ids)
	out := make(map[int64]persons.Record, len(rs))
	for _, r := range rs {
		out[r.ID] = r
	}
	return out, err
}

// agencyNames caches agency names within one transaction.
type agencyNames struct {
	tx    Tx
	names map[int64]string
}

func (n *agencyNames) name(ctx context.Context, id int64) (string, error) {
	if n.names == nil {
		n.names = map[int64]string{}
	}
	if v, ok := n.names[id]; ok {
		return v, nil
	}
	a, err := n.tx.AgencyByID(ctx, id)
	if err != nil && !core.Is(err, core.NotFound) {
		return "", err
	}
	n.names[id] = a.Name
	return a.Name, nil
}

func side(ctx context.Context, names *agencyNames, r persons.Record, v access.View) (*Side, error) {
	name, err := names.name(ctx, r.AgencyID)
	return &Side{PersonID: r.ID, Pseudonym: r.Pseudonym, AgencyID: r.AgencyID, AgencyName: name, Kind: r.Kind,
		Profile: r.Profile, CreatedAt: r.CreatedAt, View: v}, err
}

// view builds what the actor sees of a loaded candidate, without identities.
func (s *Service) view(ctx context.Context, tx Tx, actor core.Actor, l loaded, names *agencyNames) (View, error) {
	v := View{ID: l.c.ID, Sight: l.sight, Status: l.c.Status}
	var err error
	switch l.sight {
	case access.SightBoth:
		if v.A, err = side(ctx, names, l.ra, l.viewA); err != nil {
			return v, err
		}
		if v.B, err = side(ctx, names, l.rb, l.viewB); err != nil {
			return v, err
		}
		v.Weight, v.Levels = l.c.Weight, l.c.Levels
		v.CanDecide = access.CanDecideDuplicate(actor, l.viewA, l.viewB)
		if l.c.MergeID != 0 {
			m, err := tx.PersonMergeByID(ctx, l.c.MergeID)
			if err != nil {
				return v, err
			}
			an, err := names.name(ctx, m.ConfirmedByAgency)
			if err != nil {
				return v, err
			}
			v.Merge = &MergeInfo{ID: m.ID, CanonicalPersonID: m.CanonicalPersonID, ConfirmedAt: m.ConfirmedAt,
				ConfirmedAgencyName: an, Active: m.Active(), UndoneAt: m.UndoneAt}
		}
	case access.SightOneSide:
		own, ownView := l.ra, l.viewA
		if l.viewA < access.ViewPseudonymous {
			own, ownView = l.rb, l.viewB
		}
		if v.Own, err = side(ctx, names, own, ownView); err != nil {
			return v, err
		}
		if v.Requested, err = tx.DedupeNoticeGiven(ctx, l.c.ID, actor.AgencyID); err != nil {
			return v, err
		}
		v.CanRequest = access.CanRequestDedupeAccess(actor) && !v.Requested && l.c.Status == StatusOpen
	}
	return v, nil
}

// List returns the candidates the actor sees at least one side of, newest first, with the
// notices told to their agency. Lists show pseudonyms only: no identity is opened. The look is
// audited.
func (s *Service) List(ctx context.Context, actor core.Actor) ([]View, []NoticeView, error) {
	if !access.CanSeeDedupe(actor) {
		return nil, nil, forbidden
	}
	var out []View
	var notices []NoticeView
	err := s.store.Write(ctx, func(tx Tx) error {
		cs, err := tx.DedupeCandidatesNear(ctx, actor.AgencyID, s.cfg.ListLimit)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, 2*len(cs))
		for _, c := range cs {
			ids = append(ids, c.PersonA, c.PersonB)
		}
		recs, err := records(ctx, tx, ids)
		if err != nil {
			return err
		}
		names := &agencyNames{tx: tx}
		for _, c := range cs {
			l, err := s.load(ctx, tx, actor, c, recs)
			if err != nil {
				return err
			}
			if l.sight == access.SightNone {
				continue
			}
			v, err := s.view(ctx, tx, actor, l, names)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		if notices, err = s.notices(ctx, tx, actor, 0, names); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: ActionList, ObjectType: ObjectCandidate,
			ObjectAgencyID: actor.AgencyID, Fields: []string{"person_a", "person_b", "status"}})
	})
	if err != nil {
		return nil, nil, err
	}
	return out, notices, nil
}

// notices returns the notices told to the actor's agency (about one candidate when
// candidateID is not 0).
func (s *Service) notices(ctx context.Context, tx Tx, actor core.Actor, candidateID int64, names *agencyNames) ([]NoticeView, error) {
	ns, err := tx.DedupeNotices(ctx, actor.AgencyID, s.cfg.ListLimit)
	if err != nil {
		return nil, err
	}
	var out []NoticeView
	for _, n := range ns {
		if candidateID != 0 && n.CandidateID != candidateID {
			continue
		}
		c, err := tx.DedupeCandidateByID(ctx, n.CandidateID)
		if err != nil {
			return nil, err
		}
		recs, err := records(ctx, tx, []int64{c.PersonA, c.PersonB})
		if err != nil {
			return nil, err
		}
		nv := NoticeView{CandidateID: n.CandidateID, Kind: n.Kind, CaseID: n.CaseID, CreatedAt: n.CreatedAt}
		// The record the notice is about is the told agency's own; name it only if the actor
		// may see it.
		for _, id := range []int64{c.PersonA, c.PersonB} {
			r, ok := recs[id]
			if !ok || r.AgencyID != actor.AgencyID {
				continue
			}
			if v, err := viewOf(ctx, tx, actor, r); err != nil {
				return nil, err
			} else if v >= access.ViewPseudonymous {
				nv.Own = r.Pseudonym
			}
		}
		if nv.Own == "" {
			continue
		}
		if nv.FromAgencyName, err = names.name(ctx, n.FromAgencyID); err != nil {
			return nil, err
		}
		if n.CaseID != 0 {
			for _, cr := range mustCases(ctx, tx, c) {
				if cr.ID == n.CaseID && cr.AgencyID == actor.AgencyID {
					nv.CaseNumber = cr.Number
				}
			}
		}
		out = append(out, nv)
	}
	return out, nil
}

func mustCases(ctx context.Context, tx Tx, c Candidate) []CaseRef {
	var out []CaseRef
	for _, id := range []int64{c.PersonA, c.PersonB} {
		cs, err := tx.CasesOfPerson(ctx, id)
		if err == nil {
			out = append(out, cs...)
		}
	}
	return out
}

// revealFields are the sealed fields a candidate page compares side by side.
var revealFields = []string{persons.FieldGivenNames, persons.FieldPaternalSurname, persons.FieldMaternalSurname,
	persons.FieldBirthDate, persons.FieldDocument, persons.FieldNationalityDocuments, persons.FieldPhones}

// Get returns a candidate as the actor sees it. With both sides visible, the identities the
// actor may see are opened for the side-by-side comparison and each reveal is audited, with
// the look at the candidate, in the same transaction. A candidate of which the actor sees
// neither person is not found.
func (s *Service) Get(ctx context.Context, actor core.Actor, id int64) (View, error) {
	if !access.CanSeeDedupe(actor) {
		return View{}, notFound
	}
	var v View
	var reveal []int64
	err := s.store.Read(ctx, func(tx Tx) error {
		l, err := s.loadByID(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if l.sight == access.SightBoth {
			for _, x := range []struct {
				id   int64
				view access.View
			}{{l.ra.ID, l.viewA}, {l.rb.ID, l.viewB}} {
				if x.view == access.ViewIdentified {
					reveal = append(reveal, x.id)
				}
			}
		}
		return nil
	})
	if err != nil {
		return View{}, err
	}
	var idents map[int64]persons.Identity
	if len(reveal) > 0 {
		if idents, err = s.ids.OpenIdentities(ctx, reveal); err != nil {
			return View{}, err
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		// Loaded again in the writing transaction: what is shown is what the actor may see now.
		l, err := s.loadByID(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		names := &agencyNames{tx: tx}
		if v, err = s.view(ctx, tx, actor, l, names); err != nil {
			return err
		}
		if v.Notices, err = s.notices(ctx, tx, actor, id, names); err != nil {
			return err
		}
		now := s.cfg.Clock.Now()
		fields := []string{"status"}
		if v.Sight == access.SightBoth {
			fields = []string{"person_a", "person_b", "weight", "levels", "status"}
			for _, sd := range []*Side{v.A, v.B} {
				ident, ok := idents[sd.PersonID]
				if sd.View != access.ViewIdentified || !ok {
					continue
				}
				sd.Identity = &ident
				if err := tx.AppendAudit(ctx, actor, now, audit.Entry{Action: persons.ActionIdentityRead, ObjectType: persons.ObjectType,
					ObjectID: oid(sd.PersonID), ObjectAgencyID: sd.AgencyID, Fields: revealFields}); err != nil {
					return err
				}
			}
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionRead, ObjectType: ObjectCandidate,
			ObjectID: oid(id), ObjectAgencyID: actor.AgencyID, Fields: fields})
	})
	if err != nil {
		return View{}, err
	}
	return v, nil
}

func (s *Service) loadByID(ctx context.Context, tx Tx, actor core.Actor, id int64) (loaded, error) {
	c, err := tx.DedupeCandidateByID(ctx, id)
	if core.Is(err, core.NotFound) {
		return loaded{}, notFound
	}
	if err != nil {
		return loaded{}, err
	}
	recs, err := records(ctx, tx, []int64{c.PersonA, c.PersonB})
	if err != nil {
		return loaded{}, err
	}
	l, err := s.load(ctx, tx, actor, c, recs)
	if err != nil {
		return loaded{}, err
	}
	if l.sight == access.SightNone {
		return loaded{}, notFound
	}
	return l, nil
}

// decidable loads a candidate the actor may decide on: others who see both sides get
// forbidden, those who see less not found.
func (s *Service) decidable(ctx context.Context, tx Tx, actor core.Actor, id int64) (loaded, error) {
	if !access.CanSeeDedupe(actor) {
		return loaded{}, notFound
	}
	l, err := s.loadByID(ctx, tx, actor, id)
	if err != nil {
		return l, err
	}
	if l.sight != access.SightBoth {
		return l, notFound
	}
	if !access.CanDecideDuplicate(actor, l.viewA, l.viewB) {
		return l, forbidden
	}
	return l, nil
}

// Canonical choices for Confirm.
const (
	// CanonicalByRule: the older record (created first; the smaller id on a tie) stands for
	// the person.
	CanonicalByRule int64 = 0
)

// Confirm records that the two persons of a candidate are the same human being: a
// person_merges row makes canonicalID (one of the two, or CanonicalByRule) stand for both.
// Both records stay as they are. A person already merged, or a record that others are merged
// into and that would itself be merged, is a conflict: undo the other merge first.
func (s *Service) Confirm(ctx context.Context, actor core.Actor, id, canonicalID int64) (View, error) {
	err := s.store.Write(ctx, func(tx Tx) error {
		l, err := s.decidable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if l.c.Status != StatusOpen {
			return core.Errorf(core.Conflict, "dedupe.error.decided")
		}
		canon, other := l.ra, l.rb
		switch canonicalID {
		case CanonicalByRule:
			if l.rb.CreatedAt.Before(l.ra.CreatedAt) {
				canon, other = l.rb, l.ra
			}
		case l.ra.ID:
		case l.rb.ID:
			canon, other = l.rb, l.ra
		default:
			return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "canonical", Key: "dedupe.error.canonical"}}}
		}
		merged, err := tx.ActivePersonMerges(ctx)
		if err != nil {
			return err
		}
		if _, ok := merged[other.ID]; ok {
			return core.Errorf(core.Conflict, "dedupe.error.already_merged")
		}
		if _, ok := merged[canon.ID]; ok {
			return core.Errorf(core.Conflict, "dedupe.error.already_merged")
		}
		for _, c := range merged {
			if c == other.ID {
				return core.Errorf(core.Conflict, "dedupe.error.is_canonical")
			}
		}
		now := s.cfg.Clock.Now()
		m := Merge{PersonID: other.ID, CanonicalPersonID: canon.ID, ConfirmedBy: actor.UserID, ConfirmedAt: now}
		if err := tx.InsertPersonMerge(ctx, &m); err != nil {
			return err
		}
		c := l.c
		c.Status, c.MergeID, c.DecidedBy, c.DecidedAt, c.UpdatedAt = StatusConfirmed, m.ID, actor.UserID, now, now
		if err := tx.UpdateDedupeCandidate(ctx, c); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionMerge, ObjectType: persons.ObjectType,
			ObjectID: oid(other.ID), ObjectAgencyID: other.AgencyID, Fields: []string{"canonical_person_id"}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionConfirm, ObjectType: ObjectCandidate,
			ObjectID: oid(c.ID), ObjectAgencyID: actor.AgencyID, Fields: []string{"status", "merge_id"}})
	})
	if err != nil {
		return View{}, err
	}
	return s.summaryView(ctx, actor, id)
}

// Undo undoes the merge a candidate's confirmation wrote: the person_merges row gets
// undone_at and undone_by (nothing is deleted) and the candidate is open again.
func (s *Service) Undo(ctx context.Context, actor core.Actor, id int64) (View, error) {
	err := s.store.Write(ctx, func(tx Tx) error {
		l, err := s.decidable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if l.c.Status != StatusConfirmed || l.c.MergeID == 0 {
			return core.Errorf(core.Conflict, "dedupe.error.not_merged")
		}
		m, err := tx.PersonMergeByID(ctx, l.c.MergeID)
		if err != nil {
			return err
		}
		if !m.Active() {
			return core.Errorf(core.Conflict, "dedupe.error.not_merged")
		}
		now := s.cfg.Clock.Now()
		if err := tx.UndoPersonMerge(ctx, m.ID, actor.UserID, now); err != nil {
			return err
		}
		c := l.c
		c.Status, c.DecidedBy, c.DecidedAt, c.UpdatedAt = StatusOpen, actor.UserID, now, now
		if err := tx.UpdateDedupeCandidate(ctx, c); err != nil {
			return err
		}
		merged := l.ra
		if m.PersonID == l.rb.ID {
			merged = l.rb
		}
		if err := tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionMergeUndo, ObjectType: persons.ObjectType,
			ObjectID: oid(merged.ID), ObjectAgencyID: merged.AgencyID, Fields: []string{"undone_at", "undone_by"}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionUndo, ObjectType: ObjectCandidate,
			ObjectID: oid(c.ID), ObjectAgencyID: actor.AgencyID, Fields: []string{"status"}})
	})
	if err != nil {
		return View{}, err
	}
	return s.summaryView(ctx, actor, id)
}

// Reject records that the two persons are not the same: the job will not propose the pair
// again.
func (s *Service) Reject(ctx context.Context, actor core.Actor, id int64) (View, error) {
	err := s.store.Write(ctx, func(tx Tx) error {
		l, err := s.decidable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if l.c.Status != StatusOpen {
			return core.Errorf(core.Conflict, "dedupe.error.decided")
		}
		now := s.cfg.Clock.Now()
		c := l.c
		c.Status, c.DecidedBy, c.DecidedAt, c.UpdatedAt = StatusRejected, actor.UserID, now, now
		if err := tx.UpdateDedupeCandidate(ctx, c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionReject, ObjectType: ObjectCandidate,
			ObjectID: oid(c.ID), ObjectAgencyID: actor.AgencyID, Fields: []string{"status"}})
	})
	if err != nil {
		return View{}, err
	}
	return s.summaryView(ctx, actor, id)
}

// summaryView is the candidate as the actor sees it after a decision, without identities.
func (s *Service) summaryView(ctx context.Context, actor core.Actor, id int64) (View, error) {
	var v View
	err := s.store.Read(ctx, func(tx Tx) error {
		l, err := s.loadByID(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, tx, actor, l, &agencyNames{tx: tx})
		return err
	})
	return v, err
}

// RequestReason is the reason an access request made from a candidate gives, in both
// languages of the deployment: it names the candidate, never a person.
func RequestReason(candidateID int64) string {
	return fmt.Sprintf("Posible duplicado de persona detectado por vinculación de registros (candidato %d). "+
		"Possible duplicate person found by record linkage (candidate %d).", candidateID, candidateID)
}

// RequestAccess asks for access to the other record of a candidate the actor sees one side
// of. When a case holds that record, the case's owner gets a case access request (the cases
// module's own mechanism, audited there); in every case the other record's agency gets a
// dedupe notice naming the asking agency and its own record, never the asker's record. The
// request is audited.
func (s *Service) RequestAccess(ctx context.Context, actor core.Actor, id int64) (View, error) {
	var hidden persons.Record
	var target CaseRef
	err := s.store.Read(ctx, func(tx Tx) error {
		if !access.CanSeeDedupe(actor) {
			return notFound
		}
		l, err := s.loadByID(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		// The role decides before the candidate's state, so that the answer to someone who may
		// not request never depends on what others have done with the candidate.
		if !access.CanRequestDedupeAccess(actor) {
			return forbidden
		}
		if l.sight != access.SightOneSide {
			return core.Errorf(core.Conflict, "dedupe.error.nothing_to_request")
		}
		if l.c.Status != StatusOpen {
			return core.Errorf(core.Conflict, "dedupe.error.decided")
		}
		if given, err := tx.DedupeNoticeGiven(ctx, id, actor.AgencyID); err != nil {
			return err
		} else if given {
			return core.Errorf(core.Conflict, "dedupe.error.requested")
		}
		hidden = l.ra
		if l.viewA >= access.ViewPseudonymous {
			hidden = l.rb
		}
		cs, err := tx.CasesOfPerson(ctx, hidden.ID)
		if err != nil {
			return err
		}
		// The owning agency's own case first: its owner decides on sharing.
		for _, c := range cs {
			if c.AgencyID == hidden.AgencyID {
				target = c
				break
			}
		}
		return nil
	})
	if err != nil {
		return View{}, err
	}
	if target.ID != 0 && s.cfg.Cases != nil {
		if err := s.cfg.Cases.RequestAccess(ctx, actor, target.Number, RequestReason(id)); err != nil {
			return View{}, err
		}
	} else {
		target = CaseRef{}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		now := s.cfg.Clock.Now()
		n := Notice{CandidateID: id, AgencyID: hidden.AgencyID, FromAgencyID: actor.AgencyID, Kind: NoticeAccessRequested,
			CaseID: target.ID, CreatedBy: actor.UserID, CreatedAt: now}
		if _, err := tx.InsertDedupeNotice(ctx, &n); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionAccessRequest, ObjectType: ObjectCandidate,
			ObjectID: oid(id), ObjectAgencyID: hidden.AgencyID, Fields: []string{"notice"}})
	})
	if err != nil {
		return View{}, err
	}
	return s.summaryView(ctx, actor, id)
}

// MergeNote is what a person page says of a merge: "same person as V-2026-00012 (merged on
// DATE by AGENCY)".
type MergeNote struct {
	OtherPersonID  int64
	OtherPseudonym string
	// Canonical: the person of the page stands for both.
	Canonical   bool
	ConfirmedAt time.Time
	AgencyName  string
}

// MergeNotes returns the active merges of a person whose other record the actor may see too;
// merges with records outside the actor's access are not mentioned. Showing them is audited.
func (s *Service) MergeNotes(ctx context.Context, actor core.Actor, personID int64) ([]MergeNote, error) {
	var out []MergeNote
	err := s.store.Write(ctx, func(tx Tx) error {
		ms, err := tx.PersonMergesOf(ctx, personID)
		if err != nil || len(ms) == 0 {
			return err
		}
		ids := []int64{personID}
		for _, m := range ms {
			ids = append(ids, m.PersonID, m.CanonicalPersonID)
		}
		recs, err := records(ctx, tx, ids)
		if err != nil {
			return err
		}
		self, ok := recs[personID]
		if !ok {
			return nil
		}
		if v, err := viewOf(ctx, tx, actor, self); err != nil || v < access.ViewPseudonymous {
			return err
		}
		names := &agencyNames{tx: tx}
		for _, m := range ms {
			otherID := m.CanonicalPersonID
			if otherID == personID {
				otherID = m.PersonID
			}
			other, ok := recs[otherID]
			if !ok {
				continue
			}
			if v, err := viewOf(ctx, tx, actor, other); err != nil {
				return err
			} else if v < access.ViewPseudonymous {
				continue
			}
			an, err := names.name(ctx, m.ConfirmedByAgency)
			if err != nil {
				return err
			}
			out = append(out, MergeNote{OtherPersonID: otherID, OtherPseudonym: other.Pseudonym,
				Canonical: m.CanonicalPersonID == personID, ConfirmedAt: m.ConfirmedAt, AgencyName: an})
		}
		if len(out) == 0 {
			return nil
		}
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: ActionMergeRead, ObjectType: persons.ObjectType,
			ObjectID: oid(personID), ObjectAgencyID: self.AgencyID, Fields: []string{"person_merges"}})
	})
	return out, err
}

// LevelName is the catalogue key of a field's agreement level (dedupe.level.FIELD.N).
func LevelName(field int, level int8) string {
	if level < 0 {
		return "dedupe.level.missing"
	}
	return "dedupe.level." + FieldNames[field] + "." + strconv.Itoa(int(level))
}
