package persons

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/seal"
)

// Config tunes the service. Zero values take the defaults of New.
type Config struct {
	Clock core.Clock
	// SearchLimit bounds the results of one search (default 50).
	SearchLimit int
	// Sharing tells at which level cases share a person with another agency; nil means
	// persons are seen by their own agency only.
	Sharing Sharing
}

// Sharing is what persons needs of case sharing: the highest level at which any case that
// includes the person is shared with the actor's agency (core.ShareNone when none is).
type Sharing interface {
	PersonShareLevel(ctx context.Context, actor core.Actor, personID int64) (core.ShareLevel, error)
}

// Service is the persons domain. Every entry point (web, API, command line) goes through it.
type Service struct {
	store Store
	keys  seal.Source
	cfg   Config
}

// New returns a Service.
func New(store Store, keys seal.Source, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	if cfg.SearchLimit <= 0 {
		cfg.SearchLimit = 50
	}
	return &Service{store: store, keys: keys, cfg: cfg}
}

// Audit actions of this package.
const (
	ActionCreate       = "person.create"
	ActionUpdate       = "person.update"
	ActionIdentityRead = "person.identity.read"
	ActionSearch       = "person.search"
)

// ObjectType is the audit object type of a person.
const ObjectType = "person"

var (
	notFound  = core.Errorf(core.NotFound, "error.not_found")
	forbidden = core.Errorf(core.Forbidden, "error.forbidden")
)

// ErrTamperedKey is the catalogue key of the error a person gets when a sealed value does not
// open: the web layer shows its message instead of a generic one.
const ErrTamperedKey = "person.tampered"

// tampered wraps a failure to open a person's sealed data. The cause names the row and column
// (never a value) for the log; a ciphertext copied from another row ends here rather than
// showing the wrong person.
func tampered(id int64, field string, err error) error {
	if errors.Is(err, seal.ErrTampered) || errors.Is(err, seal.ErrFormat) {
		return &core.Error{Code: core.Internal, Key: ErrTamperedKey, Err: fmt.Errorf("person %d, %s: %w", id, field, err)}
	}
	return core.Wrap(core.Internal, "error.internal", fmt.Errorf("person %d, %s: %w", id, field, err))
}

func (s *Service) ring() (*seal.Ring, error) {
	r, err := s.keys.Ring()
	if err != nil {
		return nil, core.Wrap(core.Internal, "error.internal", err)
	}
	return r, nil
}

// view is how much of r the actor may see. Persons are shared with other agencies only
// through cases, so the sharing level is asked for only when the person belongs to another
// agency.
func (s *Service) view(ctx context.Context, actor core.Actor, r Record) (access.View, error) {
	share := core.ShareNone
	if s.cfg.Sharing != nil && !actor.System && actor.AgencyID != r.AgencyID {
		var err error
		if share, err = s.cfg.Sharing.PersonShareLevel(ctx, actor, r.ID); err != nil {
			return access.ViewNone, err
		}
	}
	return access.PersonView(actor, r.AgencyID, share), nil
}

func objectID(id int64) string { return strconv.FormatInt(id, 10) }

// pseudonymous returns what anyone who may see the person sees.
func pseudonymous(r Record, view access.View) Person {
	return Person{ID: r.ID, AgencyID: r.AgencyID, Pseudonym: r.Pseudonym, Kind: r.Kind, Profile: r.Profile, View: view,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// sealIdentity seals every field of id for the row.
func sealIdentity(dk *seal.DataKey, rowID int64, id Identity) Sealed {
	var out Sealed
	for i, p := range id.plainFields() {
		out[i] = dk.Seal(p, seal.AD(Table, SealedFields[i], rowID))
	}
	return out
}

// openFields opens the named sealed fields of a record (all of them when names is nil).
func openFields(ring *seal.Ring, r Record, names []string) (Identity, error) {
	var id Identity
	dk, err := ring.Unwrap(r.DataKey, seal.DataKeyAD(Table, r.ID))
	if err != nil {
		return id, tampered(r.ID, "data_key", err)
	}
	for i, f := range SealedFields {
		if names != nil && !slices.Contains(names, f) {
			continue
		}
		p, err := dk.Open(r.Sealed[i], seal.AD(Table, f, r.ID))
		if err != nil {
			return id, tampered(r.ID, f, err)
		}
		if err := id.setField(i, p); err != nil {
			return id, tampered(r.ID, f, err)
		}
	}
	return id, nil
}

// Index domains: the kinds of value a blind index stands for. The same word in two domains
// gives unrelated indexes.
const (
	domainName     = "name"
	domainPhonetic = "phonetic"
	domainDocument = "document"
	domainPhone    = "phone"
)

// indexEntries returns the blind indexes of an identity, without repeats.
func indexEntries(ring *seal.Ring, id Identity) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	add := func(domain, value string) {
		if value == "" {
			return
		}
		h := ring.BlindIndex(domain, value)
		if !seen[string(h)] {
			seen[string(h)] = true
			out = append(out, h)
		}
	}
	names := append([]string{id.GivenNames, id.PaternalSurname, id.MaternalSurname}, id.OtherNames...)
	for _, n := range names {
		for _, tok := range NameTokens(n) {
			add(domainName, tok)
			add(domainPhonetic, PhoneticCode(tok))
		}
	}
	for _, d := range append([]Document{id.Document}, id.NationalityDocuments...) {
		add(domainDocument, NormalizeDocument(d.Number))
	}
	for _, p := range id.Phones {
		add(domainPhone, p)
	}
	return out
}

// filledFields names the fields of a new person that hold something, for the audit row.
func filledFields(in Input) []string {
	out := []string{"kind", "gender"}
	p := in.Profile
	for _, f := range []struct {
		set  bool
		name string
	}{
		{p.AgeAtIdentification != nil, "age_at_identification"}, {p.BirthYear != 0, "birth_year"},
		{len(p.Citizenship) > 0, "citizenship"}, {p.PrimaryLanguage != "", "primary_language"},
		{p.Department != "", "department"}, {p.District != "", "district"},
		{len(p.Vulnerabilities) > 0, "vulnerabilities"},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	empty := Identity{}.plainFields()
	for i, pl := range in.Identity.plainFields() {
		if string(pl) != string(empty[i]) {
			out = append(out, SealedFields[i])
		}
	}
	if in.Photo != nil {
		out = append(out, FieldPhoto)
	}
	return out
}

// Create records a new person in the actor's agency and returns them as the actor sees them
// without revealing the identity (the response shows nothing sealed, so nothing is read).
func (s *Service) Create(ctx context.Context, actor core.Actor, in Input) (Person, error) {
	ps, err := s.CreateBatch(ctx, actor, []Input{in})
	if err != nil {
		return Person{}, err
	}
	return ps[0], nil
}

// CreateBatch records several persons in one transaction (an import, the demo, a benchmark):
// all or none. Each gets its own data key, pseudonym and audit row.
func (s *Service) CreateBatch(ctx context.Context, actor core.Actor, ins []Input) ([]Person, error) {
	if !access.CanCreatePerson(actor) {
		return nil, forbidden
	}
	now := s.cfg.Clock.Now()
	recs := make([]Record, len(ins))
	keys := make([]*seal.DataKey, len(ins))
	for i := range ins {
		in := &ins[i]
		agencyID := actor.AgencyID
		if actor.System {
			agencyID = in.AgencyID
		}
		if err := normalise(in, now); err != nil {
			return nil, err
		}
		if agencyID == 0 {
			return nil, &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: "agency", Key: "error.required"}}}
		}
		dk, err := seal.NewDataKey()
		if err != nil {
			return nil, core.Wrap(core.Internal, "error.internal", err)
		}
		keys[i] = dk
		recs[i] = Record{AgencyID: agencyID, Kind: in.Kind, Profile: in.Profile, Version: 1, CreatedBy: actor.UserID,
			CreatedAt: now, UpdatedAt: now}
	}
	ring, err := s.ring()
	if err != nil {
		return nil, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		for i := range recs {
			if err := s.insert(ctx, tx, ring, actor, &recs[i], keys[i], ins[i], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Person, len(recs))
	for i, r := range recs {
		out[i] = pseudonymous(r, access.PersonView(actor, r.AgencyID, core.ShareNone))
	}
	return out, nil
}

// insert stores one new person: the row for its id, then its sealed fields bound to that id,
// photo, blind indexes and audit row.
func (s *Service) insert(ctx context.Context, tx Tx, ring *seal.Ring, actor core.Actor, r *Record, dk *seal.DataKey, in Input, now time.Time) error {
	n, err := tx.NextPseudonymNumber(ctx, now.Year())
	if err != nil {
		return err
	}
	r.Pseudonym = fmt.Sprintf("%s-%d-%05d", in.Kind.Prefix(), now.Year(), n)
	if err := tx.InsertPerson(ctx, r); err != nil {
		return err
	}
	wrapped, kekID, err := ring.Wrap(dk, seal.DataKeyAD(Table, r.ID))
	if err != nil {
		return core.Wrap(core.Internal, "error.internal", err)
	}
	r.KEKID, r.DataKey, r.Sealed = kekID, wrapped, sealIdentity(dk, r.ID, in.Identity)
	if err := tx.SetPersonSealed(ctx, r.ID, r.KEKID, r.DataKey, r.Sealed); err != nil {
		return err
	}
	if in.Photo != nil {
		if err := tx.SetPersonPhoto(ctx, r.ID, dk.Seal(in.Photo, seal.AD(PhotoTable, FieldPhoto, r.ID))); err != nil {
			return err
		}
	}
	if err := tx.AddPersonIndex(ctx, r.ID, r.AgencyID, indexEntries(ring, in.Identity)); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionCreate, ObjectType: ObjectType,
		ObjectID: objectID(r.ID), ObjectAgencyID: r.AgencyID, Fields: filledFields(in)})
}

// Get returns a person as the actor may see them. For an actor who may see the identity, the
// sealed fields are opened and a person.identity.read row naming them is appended in the same
// transaction; if that row cannot be written, nothing is returned.
func (s *Service) Get(ctx context.Context, actor core.Actor, id int64) (Person, error) {
	// The ring is loaded before the transaction: loading it may check the database, which
	// must not wait for the transaction's own connection.
	ring, err := s.ring()
	if err != nil {
		return Person{}, err
	}
	var p Person
	err = s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.PersonByID(ctx, id)
		if core.Is(err, core.NotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		view, err := s.view(ctx, actor, r)
		if err != nil {
			return err
		}
		if view == access.ViewNone {
			return notFound
		}
		p = pseudonymous(r, view)
		if view != access.ViewIdentified {
			return nil
		}
		return s.reveal(ctx, tx, ring, actor, r, &p)
	})
	if err != nil {
		return Person{}, err
	}
	return p, nil
}

// reveal opens every sealed field of r into p and audits the read.
func (s *Service) reveal(ctx context.Context, tx Tx, ring *seal.Ring, actor core.Actor, r Record, p *Person) error {
	ident, err := openFields(ring, r, nil)
	if err != nil {
		return err
	}
	if p.HasPhoto, err = tx.HasPersonPhoto(ctx, r.ID); err != nil {
		return err
	}
	p.Identity = &ident
	return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: ActionIdentityRead, ObjectType: ObjectType,
		ObjectID: objectID(r.ID), ObjectAgencyID: r.AgencyID, Fields: SealedFields})
}

// Photo returns a person's photo and its content type, for an actor who may see the identity;
// the read is audited. A person without a photo, or whose identity the actor may not see, is
// not found.
func (s *Service) Photo(ctx context.Context, actor core.Actor, id int64) ([]byte, string, error) {
	ring, err := s.ring()
	if err != nil {
		return nil, "", err
	}
	var photo []byte
	err = s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.PersonByID(ctx, id)
		if core.Is(err, core.NotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		if view, err := s.view(ctx, actor, r); err != nil {
			return err
		} else if view != access.ViewIdentified {
			return notFound
		}
		sealed, err := tx.PersonPhoto(ctx, r.ID)
		if err != nil {
			return err
		}
		dk, err := ring.Unwrap(r.DataKey, seal.DataKeyAD(Table, r.ID))
		if err != nil {
			return tampered(r.ID, "data_key", err)
		}
		if photo, err = dk.Open(sealed, seal.AD(PhotoTable, FieldPhoto, r.ID)); err != nil {
			return tampered(r.ID, FieldPhoto, err)
		}
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: ActionIdentityRead, ObjectType: ObjectType,
			ObjectID: objectID(r.ID), ObjectAgencyID: r.AgencyID, Fields: []string{FieldPhoto}})
	})
	if err != nil {
		return nil, "", err
	}
	return photo, PhotoContentType(photo), nil
}

// Update changes a person. Only staff of the owning agency who may see the identity may; the
// pseudonym never changes, even when the kind does. The audit row names the fields that
// changed. The response reveals nothing.
func (s *Service) Update(ctx context.Context, actor core.Actor, id int64, in Input) (Person, error) {
	now := s.cfg.Clock.Now()
	if err := normalise(&in, now); err != nil {
		return Person{}, err
	}
	ring, err := s.ring()
	if err != nil {
		return Person{}, err
	}
	var p Person
	err = s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.PersonByID(ctx, id)
		if core.Is(err, core.NotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		if view, err := s.view(ctx, actor, r); err != nil {
			return err
		} else if view == access.ViewNone {
			return notFound
		}
		if !access.CanEditPerson(actor, r.AgencyID) {
			return forbidden
		}
		if in.Version != 0 && in.Version != r.Version {
			return core.Errorf(core.Conflict, "person.changed")
		}
		old, err := openFields(ring, r, nil)
		if err != nil {
			return err
		}
		ad := seal.DataKeyAD(Table, r.ID)
		dk, err := ring.Unwrap(r.DataKey, ad)
		if err != nil {
			return tampered(r.ID, "data_key", err)
		}
		// Writing the row re-wraps its data key under the active key, which helps a rotation
		// along.
		wrapped, kekID, err := ring.Wrap(dk, ad)
		if err != nil {
			return core.Wrap(core.Internal, "error.internal", err)
		}
		fields := append([]string(nil), changedFields(old, in.Identity)...)
		if in.Kind != r.Kind {
			fields = append([]string{"kind"}, fields...)
		}
		fields = append(fields, changedProfile(r.Profile, in.Profile)...)
		expect := r.Version
		r.Kind, r.Profile, r.KEKID, r.DataKey = in.Kind, in.Profile, kekID, wrapped
		r.Sealed = sealIdentity(dk, r.ID, in.Identity)
		r.Version++
		r.UpdatedAt = now
		if err := tx.UpdatePerson(ctx, r, expect); err != nil {
			return err
		}
		switch {
		case in.Photo != nil:
			if err := tx.SetPersonPhoto(ctx, r.ID, dk.Seal(in.Photo, seal.AD(PhotoTable, FieldPhoto, r.ID))); err != nil {
				return err
			}
			fields = append(fields, FieldPhoto)
		case in.RemovePhoto:
			has, err := tx.HasPersonPhoto(ctx, r.ID)
			if err != nil {
				return err
			}
			if has {
				if err := tx.DeletePersonPhoto(ctx, r.ID); err != nil {
					return err
				}
				fields = append(fields, FieldPhoto)
			}
		}
		if err := tx.RemovePersonIndex(ctx, r.ID, r.AgencyID, indexEntries(ring, old)); err != nil {
			return err
		}
		if err := tx.AddPersonIndex(ctx, r.ID, r.AgencyID, indexEntries(ring, in.Identity)); err != nil {
			return err
		}
		p = pseudonymous(r, access.ViewIdentified)
		return tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionUpdate, ObjectType: ObjectType,
			ObjectID: objectID(r.ID), ObjectAgencyID: r.AgencyID, Fields: fields})
	})
	if err != nil {
		return Person{}, err
	}
	return p, nil
}

// List returns up to limit persons of the actor's agency, newest first, before beforeID when
// it is not 0. Lists show pseudonyms only: a list is never a reason to reveal many
// identities at once; opening a person or searching for one is.
func (s *Service) List(ctx context.Context, actor core.Actor, beforeID int64, limit int) ([]Person, error) {
	if !access.CanListPersons(actor) {
		return nil, forbidden
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []Person
	err := s.store.Read(ctx, func(tx Tx) error {
		rs, err := tx.ListPersons(ctx, actor.AgencyID, beforeID, limit)
		if err != nil {
			return err
		}
		for _, r := range rs {
			v, err := s.view(ctx, actor, r)
			if err != nil {
				return err
			}
			if v != access.ViewNone {
				out = append(out, pseudonymous(r, v))
			}
		}
		return nil
	})
	return out, err
}

// The ways of searching.
const (
	SearchByName     = "name"
	SearchByDocument = "document"
	SearchByPhone    = "phone"
)

// SearchKinds lists the ways of searching in the order forms show them.
var SearchKinds = []string{SearchByName, SearchByDocument, SearchByPhone}

// Query is a search: By says what Text is.
type Query struct {
	By   string
	Text string
	// AgencyID is the agency searched when the system actor searches (the demo, to find
	// what it created before); staff always search their own agency.
	AgencyID int64
}

// maxSearchText and maxSearchTokens bound a query: a search is for finding someone, not for
// sweeping the index.
const (
	maxSearchText   = 200
	maxSearchTokens = 6
)

// Result is one person found, with how well they matched.
type Result struct {
	Person
	Score int
	// Exact reports that every word matched as written; otherwise some matched only by
	// sound.
	Exact bool
}

// terms turns a query into blind-index terms.
func terms(ring *seal.Ring, q Query) ([]Term, error) {
	var v core.Validation
	text := strings.TrimSpace(q.Text)
	switch {
	case !slices.Contains(SearchKinds, q.By):
		v.Add("by", "person.search_by_invalid")
	case text == "":
		v.Add("q", "error.required")
	case utf8.RuneCountInString(text) > maxSearchText:
		v.Add("q", "error.too_long", maxSearchText)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []Term
	switch q.By {
	case SearchByName:
		seen := map[string]bool{}
		for _, tok := range NameTokens(text) {
			if seen[tok] {
				continue
			}
			seen[tok] = true
			t := Term{Exact: ring.BlindIndex(domainName, tok)}
			if code := PhoneticCode(tok); code != "" {
				t.Phonetic = ring.BlindIndex(domainPhonetic, code)
			}
			out = append(out, t)
		}
		if len(out) == 0 {
			v.Add("q", "person.search_no_words")
		} else if len(out) > maxSearchTokens {
			v.Add("q", "person.search_too_many_words", maxSearchTokens)
		}
	case SearchByDocument:
		n := NormalizeDocument(text)
		if n == "" {
			v.Add("q", "person.document_number_invalid")
		}
		out = append(out, Term{Exact: ring.BlindIndex(domainDocument, n)})
	case SearchByPhone:
		p, err := NormalizePhone(text)
		if err != nil {
			v.Add("q", "person.phone_invalid")
		}
		out = append(out, Term{Exact: ring.BlindIndex(domainPhone, p)})
	}
	return out, v.Err()
}

// Search finds the persons of the actor's agency that match the query, best first. Results
// show pseudonyms, and names to those who may see identities: each person whose names are
// shown gets a person.identity.read row naming the name fields, and the search itself a
// person.search row naming what was searched by (never the words), all in the same
// transaction as the read.
func (s *Service) Search(ctx context.Context, actor core.Actor, q Query) ([]Result, error) {
	if !access.CanListPersons(actor) {
		return nil, forbidden
	}
	agencyID := actor.AgencyID
	if actor.System {
		agencyID = q.AgencyID
	}
	ring, err := s.ring()
	if err != nil {
		return nil, err
	}
	ts, err := terms(ring, q)
	if err != nil {
		return nil, err
	}
	var out []Result
	err = s.store.Write(ctx, func(tx Tx) error {
		now := s.cfg.Clock.Now()
		if err := tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionSearch, ObjectType: ObjectType,
			ObjectAgencyID: agencyID, Fields: []string{q.By}}); err != nil {
			return err
		}
		hits, err := tx.SearchPersonIndex(ctx, agencyID, ts, s.cfg.SearchLimit)
		if err != nil || len(hits) == 0 {
			return err
		}
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.PersonID
		}
		rs, err := tx.PersonsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		byID := make(map[int64]Record, len(rs))
		for _, r := range rs {
			byID[r.ID] = r
		}
		for _, h := range hits {
			r, ok := byID[h.PersonID]
			if !ok {
				continue
			}
			view, err := s.view(ctx, actor, r)
			if err != nil {
				return err
			}
			if view == access.ViewNone {
				continue
			}
			res := Result{Person: pseudonymous(r, view), Score: h.Score, Exact: h.Score == 2*len(ts)}
			if view == access.ViewIdentified {
				ident, err := openFields(ring, r, NameFields)
				if err != nil {
					return err
				}
				res.Identity = &ident
				if err := tx.AppendAudit(ctx, actor, now, audit.Entry{Action: ActionIdentityRead, ObjectType: ObjectType,
					ObjectID: objectID(r.ID), ObjectAgencyID: r.AgencyID, Fields: NameFields}); err != nil {
					return err
				}
			}
			out = append(out, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Pseudonyms returns the pseudonym of each of the ids that is a person. It is for modules
// that have already decided the actor may see these persons (cases show the pseudonyms of
// their persons to every agency the case reaches).
func (s *Service) Pseudonyms(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	err := s.store.Read(ctx, func(tx Tx) error {
		rs, err := tx.PersonsByIDs(ctx, ids)
		for _, r := range rs {
			out[r.ID] = r.Pseudonym
		}
		return err
	})
	return out, err
}

// OpenIdentities opens the sealed identities of the persons with these ids. It does not check
// access and does not audit: it is for a module that has checked that the actor may see the
// identities at the level its record grants, and that appends the person.identity.read rows
// itself in the transaction of its response (the cases service). Anything else uses Get.
func (s *Service) OpenIdentities(ctx context.Context, ids []int64) (map[int64]Identity, error) {
	ring, err := s.ring()
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Identity, len(ids))
	err = s.store.Read(ctx, func(tx Tx) error {
		rs, err := tx.PersonsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range rs {
			ident, err := openFields(ring, r, nil)
			if err != nil {
				return err
			}
			out[r.ID] = ident
		}
		return nil
	})
	return out, err
}

// Exists reports (nil error) that the person exists and the actor may see them, for putting
// them in a case; otherwise it returns a not-found error.
func (s *Service) Exists(ctx context.Context, actor core.Actor, personID int64) error {
	return s.store.Read(ctx, func(tx Tx) error {
		r, err := tx.PersonByID(ctx, personID)
		if core.Is(err, core.NotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		view, err := s.view(ctx, actor, r)
		if err != nil {
			return err
		}
		if view == access.ViewNone {
			return notFound
		}
		return nil
	})
}
