package cases

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Config sets up the service.
type Config struct {
	Clock core.Clock
	// Directory gives pseudonyms and identities of persons; without it persons are shown by a
	// pseudonym made from their id and identities are not available.
	Directory Directory
	// Screenings lists the screenings linked to persons; without it none are shown.
	Screenings ScreeningLinks
	// Sealer seals notes about persons and attachments; without it they cannot be added.
	Sealer Sealer
}

// Service is the cases domain.
type Service struct {
	store Store
	cfg   Config
}

// New returns a Service.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	return &Service{store: store, cfg: cfg}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Clock.Now() }

// today is the service's date, YYYY-MM-DD in UTC.
func (s *Service) today() string { return s.Now().Format(time.DateOnly) }

var (
	notFound  = core.Errorf(core.NotFound, "error.not_found")
	forbidden = core.Errorf(core.Forbidden, "error.forbidden")
)

func id(n int64) string { return strconv.FormatInt(n, 10) }

func invalid(field, key string, args ...any) error {
	return &core.Error{Code: core.Invalid, Key: "error.invalid_form", Fields: []core.FieldError{{Field: field, Key: key, Args: args}}}
}

// ---- validation helpers ----

// longDigits finds runs of digits as long as a document or phone number: a title or place
// with one probably identifies someone.
var longDigits = regexp.MustCompile(`[0-9][0-9 .-]{5,}[0-9]`)

func checkText(v *core.Validation, field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		v.Add(field, "error.required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "case.error.too_long", max)
	case strings.ContainsAny(s, "\x00"):
		v.Add(field, "error.invalid")
	}
}

// checkNonIdentifying rejects texts that look like they carry a document number, a phone
// number or an email address: titles and places are seen by every agency the case reaches.
func checkNonIdentifying(v *core.Validation, field, s string) {
	if longDigits.MatchString(s) || strings.Contains(s, "@") {
		v.Add(field, "case.error.identifying")
	}
}

func checkDate(v *core.Validation, field, s string, required bool) {
	if s == "" {
		if required {
			v.Add(field, "error.required")
		}
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.Add(field, "case.error.date")
	}
}

func checkChoice(v *core.Validation, field, s string, options []string, required bool) {
	if s == "" {
		if required {
			v.Add(field, "error.required")
		}
		return
	}
	if !slices.Contains(options, s) {
		v.Add(field, "case.error.choice")
	}
}

var twoDigits = regexp.MustCompile(`^[0-9]{2}$`)

// checkPlace validates INE codes: departments 00 (Asunción) to 17 (Alto Paraguay), districts
// two digits within the department.
func checkPlace(v *core.Validation, prefix, dept, district string, required bool) {
	if dept == "" {
		if required {
			v.Add(prefix+"department", "error.required")
		}
		if district != "" {
			v.Add(prefix+"district", "case.error.district_without_department")
		}
		return
	}
	if n, err := strconv.Atoi(dept); !twoDigits.MatchString(dept) || err != nil || n > 17 {
		v.Add(prefix+"department", "case.error.department")
	}
	if district != "" && !twoDigits.MatchString(district) {
		v.Add(prefix+"district", "case.error.district")
	}
}

func normaliseInput(in *Input) {
	in.Title = strings.TrimSpace(in.Title)
	in.Sector = strings.ToUpper(strings.TrimSpace(in.Sector))
	in.Department = strings.TrimSpace(in.Department)
	in.District = strings.TrimSpace(in.District)
	in.ReportedOn = strings.TrimSpace(in.ReportedOn)
	in.OpenedOn = strings.TrimSpace(in.OpenedOn)
	in.Source = strings.TrimSpace(in.Source)
	var ex []string
	for _, e := range in.Exploitation {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(ex, e) {
			ex = append(ex, e)
		}
	}
	// Stored in the vocabulary's order, so that equal sets compare equal.
	slices.SortFunc(ex, func(a, b string) int { return slices.Index(Exploitations, a) - slices.Index(Exploitations, b) })
	in.Exploitation = ex
	slices.Sort(in.Officers)
	in.Officers = slices.Compact(in.Officers)
}

// Check validates an input without storing it.
func (s *Service) Check(in *Input) error {
	normaliseInput(in)
	var v core.Validation
	checkText(&v, "title", in.Title, 200, true)
	checkNonIdentifying(&v, "title", in.Title)
	if len(in.Exploitation) == 0 {
		v.Add("exploitation", "case.error.exploitation_required")
	}
	for _, e := range in.Exploitation {
		if !slices.Contains(Exploitations, e) {
			v.Add("exploitation", "case.error.choice")
			break
		}
	}
	checkChoice(&v, "sector", in.Sector, Sectors, false)
	checkPlace(&v, "", in.Department, in.District, true)
	checkDate(&v, "reported_on", in.ReportedOn, true)
	checkDate(&v, "opened_on", in.OpenedOn, false)
	today := s.today()
	if in.ReportedOn > today {
		v.Add("reported_on", "case.error.future")
	}
	if in.OpenedOn != "" && in.OpenedOn > today {
		v.Add("opened_on", "case.error.future")
	}
	if in.OpenedOn != "" && in.ReportedOn != "" && in.OpenedOn < in.ReportedOn {
		v.Add("opened_on", "case.error.opened_before_reported")
	}
	checkChoice(&v, "source", in.Source, Sources, true)
	return v.Err()
}

// caseFields are the audit field names of a case's facts.
var caseFields = []string{"title", "exploitation", "sector", "department", "district", "reported_on", "opened_on", "source", "sensitive", "officers"}

// checkOfficers confirms that each officer is an active user of the owning agency.
func checkOfficers(ctx context.Context, tx Tx, agencyID int64, officers []int64) error {
	for _, uid := range officers {
		u, err := tx.UserByID(ctx, uid)
		if core.Is(err, core.NotFound) || (err == nil && (u.AgencyID != agencyID || u.Disabled)) {
			return invalid("officers", "case.error.officer")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Create opens a case for the actor's agency. Its number is assigned in the transaction.
func (s *Service) Create(ctx context.Context, actor core.Actor, in Input) (Case, error) {
	if !access.CanCreateCase(actor) {
		return Case{}, forbidden
	}
	if err := s.Check(&in); err != nil {
		return Case{}, err
	}
	now := s.Now()
	c := Case{AgencyID: actor.AgencyID, Title: in.Title, Status: StatusReported, Exploitation: in.Exploitation,
		Sector: in.Sector, Department: in.Department, District: in.District, ReportedOn: in.ReportedOn,
		OpenedOn: in.OpenedOn, Source: in.Source, Sensitive: in.Sensitive, Officers: in.Officers, Version: 1,
		CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now, Level: core.ShareFull}
	c.Year = now.Year()
	err := s.store.Write(ctx, func(tx Tx) error {
		ag, err := tx.AgencyByID(ctx, actor.AgencyID)
		if err != nil {
			return err
		}
		if err := checkOfficers(ctx, tx, c.AgencyID, c.Officers); err != nil {
			return err
		}
		if c.Seq, err = tx.NextCaseSeq(ctx, c.AgencyID, c.Year); err != nil {
			return err
		}
		c.Number = fmt.Sprintf("%s-%d-%04d", ag.Code, c.Year, c.Seq)
		if err := tx.CreateCase(ctx, &c); err != nil {
			return err
		}
		if err := tx.SetCaseOfficers(ctx, c.ID, c.Officers); err != nil {
			return err
		}
		if err := tx.AddStatusChange(ctx, &StatusChange{CaseID: c.ID, To: StatusReported, ByUser: actor.UserID, ByAgency: actor.AgencyID, At: now}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: "case.create", ObjectType: "case", ObjectID: id(c.ID),
			ObjectAgencyID: c.AgencyID, Fields: append([]string{"number", "status"}, caseFields...)})
	})
	if err != nil {
		return Case{}, err
	}
	return c, nil
}

// levelIn is the actor's level on c, read in tx.
func levelIn(ctx context.Context, tx Tx, actor core.Actor, c Case) (core.ShareLevel, error) {
	shared := core.ShareNone
	if actor.AgencyID != c.AgencyID && actor.AgencyID != 0 {
		var err error
		if shared, err = tx.CaseShare(ctx, c.ID, actor.AgencyID); err != nil {
			return core.ShareNone, err
		}
	}
	return access.CaseLevel(actor, c.AgencyID, shared), nil
}

// visible loads a case the actor may see, with their level; anything else is not found.
func visible(ctx context.Context, tx Tx, actor core.Actor, caseID int64) (Case, error) {
	c, err := tx.CaseByID(ctx, caseID)
	if err != nil {
		return Case{}, err
	}
	if c.Level, err = levelIn(ctx, tx, actor, c); err != nil {
		return Case{}, err
	}
	if !access.CanSeeCase(c.Level) {
		return Case{}, notFound
	}
	return c, nil
}

// readAudit records that the actor read parts of a case.
func (s *Service) readAudit(ctx context.Context, tx Tx, actor core.Actor, c Case, fields ...string) error {
	return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.read", ObjectType: "case", ObjectID: id(c.ID),
		ObjectAgencyID: c.AgencyID, Fields: fields})
}

// Get returns a case the actor may see, with its workflow history, and records the read.
func (s *Service) Get(ctx context.Context, actor core.Actor, caseID int64) (Case, []StatusChange, error) {
	var c Case
	var hist []StatusChange
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = visible(ctx, tx, actor, caseID); err != nil {
			return err
		}
		if hist, err = tx.ListStatusChanges(ctx, c.ID); err != nil {
			return err
		}
		return s.readAudit(ctx, tx, actor, c, append([]string{"number", "status"}, caseFields...)...)
	})
	return c, hist, err
}

// Level returns the actor's level on a case without reading it: ShareNone (and no error)
// for a case that does not exist for the actor. Pages use it to decide which tabs to offer.
func (s *Service) Level(ctx context.Context, actor core.Actor, caseID int64) (core.ShareLevel, error) {
	var level core.ShareLevel
	err := s.store.Read(ctx, func(tx Tx) error {
		c, err := tx.CaseByID(ctx, caseID)
		if core.Is(err, core.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		level, err = levelIn(ctx, tx, actor, c)
		return err
	})
	return level, err
}

// staleError is the conflict of an update based on an old version.
func staleError() error { return core.Errorf(core.Conflict, "case.error.stale") }

// Update changes a case's facts. version is the version the actor read; if the case changed
// since, nothing is written and the answer is a conflict.
func (s *Service) Update(ctx context.Context, actor core.Actor, caseID int64, version int, in Input) (Case, error) {
	if err := s.Check(&in); err != nil {
		return Case{}, err
	}
	var c Case
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = visible(ctx, tx, actor, caseID); err != nil {
			return err
		}
		if !access.CanEditCase(actor, c.AgencyID) {
			return forbidden
		}
		if c.Version != version {
			return staleError()
		}
		if err := checkOfficers(ctx, tx, c.AgencyID, in.Officers); err != nil {
			return err
		}
		changed := changedFields(c, in)
		c.Title, c.Exploitation, c.Sector, c.Department, c.District = in.Title, in.Exploitation, in.Sector, in.Department, in.District
		c.ReportedOn, c.OpenedOn, c.Source, c.Sensitive, c.Officers = in.ReportedOn, in.OpenedOn, in.Source, in.Sensitive, in.Officers
		c.Version++
		c.UpdatedAt = s.Now()
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		if err := tx.SetCaseOfficers(ctx, c.ID, c.Officers); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, c.UpdatedAt, audit.Entry{Action: "case.update", ObjectType: "case", ObjectID: id(c.ID),
			ObjectAgencyID: c.AgencyID, Fields: changed})
	})
	return c, err
}

// changedFields names the facts that differ between c and in.
func changedFields(c Case, in Input) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("title", c.Title != in.Title)
	add("exploitation", !slices.Equal(c.Exploitation, in.Exploitation))
	add("sector", c.Sector != in.Sector)
	add("department", c.Department != in.Department)
	add("district", c.District != in.District)
	add("reported_on", c.ReportedOn != in.ReportedOn)
	add("opened_on", c.OpenedOn != in.OpenedOn)
	add("source", c.Source != in.Source)
	add("sensitive", c.Sensitive != in.Sensitive)
	add("officers", !slices.Equal(c.Officers, in.Officers))
	return out
}

// Differences names the facts of current that differ from what a form submitted, so that
// after a conflict the page can show what someone else changed.
func Differences(current Case, submitted Input) []string {
	normaliseInput(&submitted)
	return changedFields(current, submitted)
}

// SetStatus moves a case along the workflow. Any agency that works on the case may move it;
// moves the workflow does not allow are refused with a message naming the allowed ones.
func (s *Service) SetStatus(ctx context.Context, actor core.Actor, caseID int64, version int, to Status) (Case, error) {
	return s.move(ctx, actor, caseID, version, to, "", false)
}

// Reopen reopens a closed case for investigation; the reason is required and recorded.
func (s *Service) Reopen(ctx context.Context, actor core.Actor, caseID int64, version int, reason string) (Case, error) {
	return s.move(ctx, actor, caseID, version, StatusUnderInvestigation, reason, true)
}

func (s *Service) move(ctx context.Context, actor core.Actor, caseID int64, version int, to Status, reason string, reopen bool) (Case, error) {
	reason = strings.TrimSpace(reason)
	if reopen {
		var v core.Validation
		checkText(&v, "reason", reason, 1000, true)
		if err := v.Err(); err != nil {
			return Case{}, err
		}
	} else if !slices.Contains(Statuses, to) {
		return Case{}, invalid("status", "case.error.choice")
	}
	var c Case
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = visible(ctx, tx, actor, caseID); err != nil {
			return err
		}
		if !access.CanContribute(actor, c.Level) {
			return forbidden
		}
		if c.Version != version {
			return staleError()
		}
		from := c.Status
		switch {
		case reopen && from != StatusClosed:
			return invalid("reason", "case.error.reopen_not_closed")
		case !reopen && from == StatusClosed:
			return invalid("status", "case.error.closed_reopen")
		case !reopen && !CanMove(from, to):
			return &core.Error{Code: core.Invalid, Key: "error.invalid_form", Fields: []core.FieldError{{Field: "status",
				Key: "case.error.transition", Args: []any{string(from), string(to), joinStatuses(Next(from))}}}}
		}
		now := s.Now()
		c.Status = to
		c.ClosedOn = ""
		if to == StatusClosed {
			c.ClosedOn = now.Format(time.DateOnly)
		}
		if c.OpenedOn == "" && to != StatusClosed && to != StatusReported {
			c.OpenedOn = now.Format(time.DateOnly)
		}
		c.Version++
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		if err := tx.AddStatusChange(ctx, &StatusChange{CaseID: c.ID, From: from, To: to, Reason: reason,
			ByUser: actor.UserID, ByAgency: actor.AgencyID, At: now}); err != nil {
			return err
		}
		action, fields := "case.status", []string{"status"}
		if reopen {
			action, fields = "case.reopen", []string{"status", "reason"}
		}
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: action, ObjectType: "case", ObjectID: id(c.ID),
			ObjectAgencyID: c.AgencyID, Fields: fields})
	})
	return c, err
}

func joinStatuses(list []Status) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// CheckFilter validates a list filter.
func CheckFilter(f *Filter) error {
	var v core.Validation
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		v.Add("status", "case.error.choice")
	}
	checkChoice(&v, "exploitation", f.Exploitation, Exploitations, false)
	if f.Department != "" {
		checkPlace(&v, "", f.Department, "", false)
	}
	checkDate(&v, "from", f.From, false)
	checkDate(&v, "to", f.To, false)
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		v.Add("limit", "case.error.limit", MaxPageSize)
	}
	if f.Before < 0 {
		v.Add("before", "case.error.number")
	}
	return v.Err()
}

// List returns a page of the cases the actor may see, newest first, and the counts of the
// cases their agency receives at statistical level. Analysts get counts only. The read is
// audited.
func (s *Service) List(ctx context.Context, actor core.Actor, f Filter) (Listing, error) {
	if !access.CanCountCases(actor) {
		return Listing{}, forbidden
	}
	if err := CheckFilter(&f); err != nil {
		return Listing{}, err
	}
	var out Listing
	seeOwn := access.CanSeeCase(access.CaseLevel(actor, actor.AgencyID, core.ShareNone))
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if !seeOwn {
			out.CountsOnly = true
			out.Statistical, err = tx.CountCases(ctx, ListQuery{AgencyID: actor.AgencyID, Owned: true,
				SharedLevels: core.ShareLevels, Filter: f})
			if err != nil {
				return err
			}
			return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.count", ObjectType: "case",
				ObjectAgencyID: actor.AgencyID, Fields: []string{"status"}})
		}
		if out.Statistical, err = tx.CountCases(ctx, ListQuery{AgencyID: actor.AgencyID,
			SharedLevels: []core.ShareLevel{core.ShareStatistical}, Filter: f}); err != nil {
			return err
		}
		q := ListQuery{AgencyID: actor.AgencyID, Owned: true,
			SharedLevels: []core.ShareLevel{core.ShareOperational, core.ShareFull}, Filter: f}
		q.Limit = f.Limit + 1
		list, err := tx.ListCases(ctx, q)
		if err != nil {
			return err
		}
		if len(list) > f.Limit {
			list = list[:f.Limit]
			out.Next = list[len(list)-1].ID
		}
		for i := range list {
			if list[i].AgencyID == actor.AgencyID {
				list[i].Level = access.CaseLevel(actor, list[i].AgencyID, core.ShareNone)
			} else {
				list[i].Level = access.CaseLevel(actor, list[i].AgencyID, list[i].Level)
			}
		}
		out.Cases = list
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.list", ObjectType: "case",
			ObjectAgencyID: actor.AgencyID, Fields: []string{"number", "title", "status", "exploitation", "department"}})
	})
	return out, err
}

// Officers lists the staff who may be assigned to cases of the actor's agency: its active
// case workers. Names of staff are shown only to their own agency's case workers.
func (s *Service) Officers(ctx context.Context, actor core.Actor) ([]core.User, error) {
	if !access.CanCreateCase(actor) {
		return nil, forbidden
	}
	var out []core.User
	err := s.store.Read(ctx, func(tx Tx) error {
		users, err := tx.ListUsers(ctx, actor.AgencyID)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Disabled && access.WorksCases(core.Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles}) {
				out = append(out, u)
			}
		}
		return nil
	})
	return out, err
}
