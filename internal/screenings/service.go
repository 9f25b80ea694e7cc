package screenings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/screening"
)

// Config sets up the service.
type Config struct {
	Clock core.Clock
	// Rulebook judges new screenings: the embedded one, or a deployment's extension of it.
	Rulebook *screening.Rulebook
	// Archive holds older versions of a deployment's own rulebook still needed to reproduce
	// stored results; the current rulebook and every embedded version (current and archived)
	// are always available.
	Archive []*screening.Rulebook
	// CheckPerson confirms that the actor may link to personID (the person exists and the actor
	// may see them). The persons module provides it. Without it, links to persons are refused:
	// a screening must never point at a person its agency cannot see.
	CheckPerson func(ctx context.Context, actor core.Actor, personID int64) error
}

// Service is the screenings domain. Every entry point (web, API, command line) goes through it.
type Service struct {
	store Store
	cfg   Config
	books map[string]*screening.Rulebook // "id@version" -> rulebook
}

// New returns a Service. Without a rulebook in cfg it uses the embedded one.
func New(store Store, cfg Config) (*Service, error) {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	embedded, err := screening.Embedded()
	if err != nil {
		return nil, fmt.Errorf("embedded rulebook: %w", err)
	}
	if cfg.Rulebook == nil {
		cfg.Rulebook = embedded
	}
	archived, err := screening.Archived()
	if err != nil {
		return nil, fmt.Errorf("archived rulebooks: %w", err)
	}
	s := &Service{store: store, cfg: cfg, books: map[string]*screening.Rulebook{}}
	books := slices.Concat([]*screening.Rulebook{embedded, cfg.Rulebook}, archived, cfg.Archive)
	for _, rb := range books {
		s.books[bookKey(rb.ID, rb.Version)] = rb
	}
	return s, nil
}

func bookKey(id, version string) string { return id + "@" + version }

// Rulebook is the rulebook new screenings are judged by.
func (s *Service) Rulebook() *screening.Rulebook { return s.cfg.Rulebook }

// Form lists what the screening form offers, in lang.
func (s *Service) Form(lang screening.Lang) screening.Form { return s.cfg.Rulebook.Form(lang) }

// Screening is a stored screening with its input and result decoded. InputJSON and ResultJSON
// are the exact stored texts.
type Screening struct {
	Summary
	Lang       screening.Lang
	Input      screening.Input
	Result     *screening.Result
	InputJSON  []byte
	ResultJSON []byte
}

// DefaultPageSize and MaxPageSize bound a list page.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page selects a page of a list, newest first: the screenings with ids below Before (all when
// 0), at most Limit of them (DefaultPageSize when 0).
type Page struct {
	Before int64
	Limit  int
}

// Listing is a page of an agency's screenings with the agency's counts. CountsOnly is set for
// actors who may see counts and not the screenings themselves (analysts); Screenings is then
// empty.
type Listing struct {
	Screenings []Summary
	Counts     Counts
	CountsOnly bool
	// Next is the Before of the following page, 0 on the last page.
	Next int64
}

var (
	notFound  = core.Errorf(core.NotFound, "error.not_found")
	forbidden = core.Errorf(core.Forbidden, "error.forbidden")
)

// Check validates and normalises an input against the current rulebook without storing
// anything, so that a form can list every problem at once.
func (s *Service) Check(in *screening.Input) error {
	// A document cannot hold them, but a caller building an Input can: they compare false
	// with every bound and could not be stored.
	for field, v := range map[string]float64{"work.economic_hours_per_week": in.Work.EconomicHoursPerWeek,
		"work.household_chores_hours_per_week": in.Work.HouseholdChoresHoursPerWeek} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: field, Key: "screening.error.hours_number"}}}
		}
	}
	if err := s.cfg.Rulebook.Validate(in); err != nil {
		return inputError(err)
	}
	return nil
}

// CreateDocument parses an input document (section 1 of the screening reference) and stores
// its screening, like Create.
func (s *Service) CreateDocument(ctx context.Context, actor core.Actor, doc []byte, lang screening.Lang) (Screening, error) {
	if !access.CanScreen(actor) {
		return Screening{}, forbidden
	}
	in, err := s.cfg.Rulebook.ParseInput(doc)
	if err != nil {
		return Screening{}, inputError(err)
	}
	return s.Create(ctx, actor, in, lang)
}

// Create judges the input with the current rulebook and stores the input, the rulebook id and
// version and the result for the actor's agency, auditing it in the same transaction. Invalid
// input stores nothing.
func (s *Service) Create(ctx context.Context, actor core.Actor, in screening.Input, lang screening.Lang) (Screening, error) {
	if !access.CanScreen(actor) {
		return Screening{}, forbidden
	}
	if lang != screening.Spanish && lang != screening.English {
		return Screening{}, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "lang", Key: "screening.error.lang"}}}
	}
	if err := s.Check(&in); err != nil {
		return Screening{}, err
	}
	rb := s.cfg.Rulebook
	res := rb.Screen(in, lang)
	inJSON, err := json.Marshal(in)
	if err != nil {
		return Screening{}, core.Wrap(core.Internal, "error.internal", err)
	}
	resJSON, err := json.Marshal(res)
	if err != nil {
		return Screening{}, core.Wrap(core.Internal, "error.internal", err)
	}
	row := Stored{
		Summary: Summary{AgencyID: actor.AgencyID, OfficerID: actor.UserID, CreatedAt: s.cfg.Clock.Now(),
			RulebookID: rb.ID, RulebookVersion: rb.Version, Outcomes: outcomesOf(res)},
		Lang: string(lang), Input: inJSON, Result: resJSON,
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.CreateScreening(ctx, &row); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, row.CreatedAt, audit.Entry{Action: "screening.create", ObjectType: "screening",
			ObjectID: id(row.ID), ObjectAgencyID: row.AgencyID,
			Fields: []string{"subject", "exploitation", "act", "indicators", "work", "result"}})
	})
	if err != nil {
		return Screening{}, err
	}
	return Screening{Summary: row.Summary, Lang: lang, Input: in, Result: res, InputJSON: inJSON, ResultJSON: resJSON}, nil
}

// Get returns one screening and records the read in the audit chain. Another agency's
// screening, or one the actor may not read, is not found.
func (s *Service) Get(ctx context.Context, actor core.Actor, screeningID int64) (Screening, error) {
	return s.read(ctx, actor, screeningID, "screening.read")
}

func (s *Service) read(ctx context.Context, actor core.Actor, screeningID int64, action string) (Screening, error) {
	var row Stored
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		row, err = tx.ScreeningByID(ctx, screeningID)
		if err != nil {
			return err
		}
		if !access.CanSeeScreenings(actor, row.AgencyID) {
			return notFound
		}
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: action, ObjectType: "screening",
			ObjectID: id(row.ID), ObjectAgencyID: row.AgencyID, Fields: []string{"input", "result"}})
	})
	if err != nil {
		return Screening{}, err
	}
	return decode(row)
}

func decode(row Stored) (Screening, error) {
	sc := Screening{Summary: row.Summary, Lang: screening.Lang(row.Lang), InputJSON: row.Input, ResultJSON: row.Result}
	if err := json.Unmarshal(row.Input, &sc.Input); err != nil {
		return Screening{}, core.Wrap(core.Internal, "error.internal", fmt.Errorf("screening %d: stored input: %w", row.ID, err))
	}
	sc.Result = &screening.Result{}
	if err := json.Unmarshal(row.Result, sc.Result); err != nil {
		return Screening{}, core.Wrap(core.Internal, "error.internal", fmt.Errorf("screening %d: stored result: %w", row.ID, err))
	}
	return sc, nil
}

// InLanguage returns the screening's result in lang. A result is stored in the language it was
// made in; when the reader works in another one and the rulebook version that judged it is at
// hand, the stored input is judged again in lang, which gives the same verdicts in the
// reader's words. Otherwise, or if the verdicts were to differ, the stored result is returned.
func (s *Service) InLanguage(sc Screening, lang screening.Lang) *screening.Result {
	if lang == sc.Lang {
		return sc.Result
	}
	rb, ok := s.books[bookKey(sc.RulebookID, sc.RulebookVersion)]
	if !ok {
		return sc.Result
	}
	in, err := rb.ParseInput(sc.InputJSON)
	if err != nil {
		return sc.Result
	}
	res := rb.Screen(in, lang)
	if outcomesOf(res) != sc.Outcomes {
		return sc.Result
	}
	return res
}

// Reproduction is a stored result judged again: the stored input with the stored rulebook
// version, in the stored language.
type Reproduction struct {
	Screening Screening
	// ResultJSON is the result of judging the stored input again.
	ResultJSON []byte
	// Same reports whether it is byte for byte the stored result.
	Same bool
}

// Reproduce judges a stored screening's input again with the rulebook version that judged it,
// so that a result can be checked years later. The read is audited. A rulebook version no
// longer at hand is a conflict: add it to Config.Archive.
func (s *Service) Reproduce(ctx context.Context, actor core.Actor, screeningID int64) (Reproduction, error) {
	sc, err := s.read(ctx, actor, screeningID, "screening.reproduce")
	if err != nil {
		return Reproduction{}, err
	}
	rb, ok := s.books[bookKey(sc.RulebookID, sc.RulebookVersion)]
	if !ok {
		return Reproduction{}, core.Errorf(core.Conflict, "screening.error.rulebook_unavailable", sc.RulebookID, sc.RulebookVersion)
	}
	in, err := rb.ParseInput(sc.InputJSON)
	if err != nil {
		return Reproduction{}, core.Wrap(core.Internal, "error.internal", fmt.Errorf("screening %d: stored input no longer parses: %w", sc.ID, err))
	}
	out, err := json.Marshal(rb.Screen(in, sc.Lang))
	if err != nil {
		return Reproduction{}, core.Wrap(core.Internal, "error.internal", err)
	}
	return Reproduction{Screening: sc, ResultJSON: out, Same: bytes.Equal(out, sc.ResultJSON)}, nil
}

// List returns a page of the actor's agency's screenings, newest first, with the agency's
// counts; analysts get the counts only. Reading the list is audited, since outcomes say
// something about the people screened.
func (s *Service) List(ctx context.Context, actor core.Actor, p Page) (Listing, error) {
	agency := actor.AgencyID
	if !access.CanCountScreenings(actor, agency) {
		return Listing{}, forbidden
	}
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageSize
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return Listing{}, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "limit", Key: "screening.error.limit", Args: []any{MaxPageSize}}}}
	}
	if p.Before < 0 {
		return Listing{}, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "before", Key: "api.not_a_number"}}}
	}
	var out Listing
	if !access.CanSeeScreenings(actor, agency) {
		out.CountsOnly = true
		err := s.store.Read(ctx, func(tx Tx) error {
			var err error
			out.Counts, err = tx.CountScreenings(ctx, agency)
			return err
		})
		return out, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if out.Counts, err = tx.CountScreenings(ctx, agency); err != nil {
			return err
		}
		// One more than the page tells whether a next page exists.
		list, err := tx.ListScreenings(ctx, agency, p.Before, p.Limit+1)
		if err != nil {
			return err
		}
		if len(list) > p.Limit {
			list = list[:p.Limit]
			out.Next = list[len(list)-1].ID
		}
		out.Screenings = list
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: "screening.list", ObjectType: "screening",
			ObjectAgencyID: agency, Fields: []string{"outcomes"}})
	})
	return out, err
}

// LinkPerson links a screening to a person, or unlinks it when personID is 0. The persons
// module confirms the person through Config.CheckPerson.
func (s *Service) LinkPerson(ctx context.Context, actor core.Actor, screeningID, personID int64) error {
	if personID < 0 {
		return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "person_id", Key: "screening.error.person_number"}}}
	}
	// The screening is checked before the person, so that an actor who may not link learns
	// nothing about persons, and one who may not see the screening gets "not found".
	if err := s.store.Read(ctx, func(tx Tx) error {
		row, err := tx.ScreeningByID(ctx, screeningID)
		if err != nil {
			return err
		}
		return s.mayLink(actor, row)
	}); err != nil {
		return err
	}
	if personID > 0 {
		if s.cfg.CheckPerson == nil {
			return core.Errorf(core.Forbidden, "error.forbidden")
		}
		if err := s.cfg.CheckPerson(ctx, actor, personID); err != nil {
			if core.Is(err, core.NotFound) {
				// A person the actor may not see reads exactly as a number that names nobody.
				return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
					Fields: []core.FieldError{{Field: "person_id", Key: "screening.error.person_unknown"}}}
			}
			return err
		}
	}
	return s.store.Write(ctx, func(tx Tx) error {
		row, err := tx.ScreeningByID(ctx, screeningID)
		if err != nil {
			return err
		}
		if err := s.mayLink(actor, row); err != nil {
			return err
		}
		if err := tx.SetScreeningPerson(ctx, row.ID, personID); err != nil {
			return err
		}
		action := "screening.link_person"
		if personID == 0 {
			action = "screening.unlink_person"
		}
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: action, ObjectType: "screening",
			ObjectID: id(row.ID), ObjectAgencyID: row.AgencyID, Fields: []string{"person_id"}})
	})
}

func (s *Service) mayLink(actor core.Actor, row Stored) error {
	if !access.CanSeeScreenings(actor, row.AgencyID) {
		return notFound
	}
	if !access.CanLinkScreening(actor, row.AgencyID) {
		return forbidden
	}
	return nil
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func outcomesOf(res *screening.Result) Outcomes {
	var o Outcomes
	if f, ok := res.Framework(screening.FrameworkTrafficking); ok {
		o.Trafficking = f.Outcome
	}
	if f, ok := res.Framework(screening.FrameworkICLS); ok {
		o.ForcedLabour = f.Outcome
	}
	if f, ok := res.Framework(screening.FrameworkChildLabour); ok {
		o.ChildLabour = f.Outcome
	}
	return o
}

// inputError turns the engine's input errors into field errors with catalogue keys. The field
// keeps the document's path (subject.age, indicators[2]); the message comes from the
// catalogue, never from what was typed.
func inputError(err error) error {
	var list screening.InputErrors
	if !errors.As(err, &list) {
		return core.Wrap(core.Invalid, "screening.error.document", err)
	}
	ce := &core.Error{Code: core.Invalid, Key: "error.invalid_form", Err: err}
	for _, e := range list {
		ce.Fields = append(ce.Fields, core.FieldError{Field: fieldOf(e), Key: keyOf(e)})
	}
	return ce
}

func fieldOf(e *screening.InputError) string {
	if e.Field == "" {
		return "document"
	}
	return e.Field
}

// hourFields are the fields that hold hours per week.
var hourFields = map[string]bool{"work.economic_hours_per_week": true, "work.household_chores_hours_per_week": true}

// keyOf picks the catalogue message for one input error. The engine's reasons are English
// sentences for the command line; here they are only classified.
func keyOf(e *screening.InputError) string {
	r := e.Reason
	switch {
	case e.Field == "":
		return "screening.error.document"
	case r == "unknown field":
		return "screening.error.unknown_field"
	case e.Line > 0:
		// Found while decoding: a value of the wrong type.
		return "screening.error.type"
	case e.Field == "subject.age":
		return "screening.error.age"
	case e.Field == "subject.sex":
		return "screening.error.sex"
	case e.Field == "exploitation":
		return "screening.error.exploitation"
	case hourFields[e.Field] && strings.Contains(r, "together exceed"):
		return "screening.error.hours_week"
	case hourFields[e.Field] && strings.Contains(r, "negative"):
		return "screening.error.hours_negative"
	case hourFields[e.Field]:
		return "screening.error.hours_max"
	case strings.HasSuffix(r, "listed twice"):
		return "screening.error.listed_twice"
	case strings.HasPrefix(r, "unknown "):
		return "screening.error.unknown_id"
	}
	return "error.invalid"
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Clock.Now() }
