// Package casewire connects the cases service to the modules it needs but does not import:
// the persons module (pseudonyms, identities, and the check that a person may be put in a
// case), the key ring (sealed notes about persons and attachments) and the screenings linked
// to persons. It also gives the persons module the cases service as its sharing hook, so
// that a person reaches another agency only through a case shared with it.
//
// Only the wiring (cmd/nanduti) and tests that need the whole system use this package; the
// domain packages stay independent of one another.
package casewire

import (
	"context"
	"strings"

	"nanduti/internal/access"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
)

// Config tunes the services built by New.
type Config struct {
	Clock core.Clock
	// Persons is the persons module's configuration; its Sharing hook is set by New.
	Persons persons.Config
}

// Services are the persons and cases services wired to each other.
type Services struct {
	Persons *persons.Service
	Cases   *cases.Service
}

// New builds the persons and cases services on db and the key ring: the cases service asks
// the persons one for pseudonyms and identities, and the persons one asks the cases one at
// which level a person's cases reach the reader's agency.
func New(db *store.DB, keys seal.Source, cfg Config) Services {
	hook := &sharing{}
	pcfg := cfg.Persons
	if pcfg.Clock == nil {
		pcfg.Clock = cfg.Clock
	}
	pcfg.Sharing = hook
	ps := persons.New(db.Persons(), keys, pcfg)
	cs := cases.New(db.Cases(), cases.Config{Clock: cfg.Clock, Directory: Directory{Persons: ps},
		Screenings: Screenings{Store: db}, Sealer: seal.NewSealer(keys)})
	hook.cases = cs
	return Services{Persons: ps, Cases: cs}
}

// sharing is the persons module's Config.Sharing: the cases service, set once both exist.
type sharing struct{ cases *cases.Service }

func (s *sharing) PersonShareLevel(ctx context.Context, actor core.Actor, personID int64) (core.ShareLevel, error) {
	return s.cases.PersonShareLevel(ctx, actor, personID)
}

// Directory is the persons service as the cases service's directory of persons.
type Directory struct{ Persons *persons.Service }

// Pseudonyms returns the pseudonym of each person id that exists.
func (d Directory) Pseudonyms(ctx context.Context, ids []int64) (map[int64]string, error) {
	return d.Persons.Pseudonyms(ctx, ids)
}

// Identities opens the identities of the persons; the cases service has checked the reader's
// level and audits the reveal in its own transaction.
func (d Directory) Identities(ctx context.Context, ids []int64) (map[int64]cases.Identity, error) {
	ids2, err := d.Persons.OpenIdentities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]cases.Identity, len(ids2))
	for id, ident := range ids2 {
		out[id] = IdentityOf(ident)
	}
	return out, nil
}

// Exists reports whether the person exists and the actor may see them.
func (d Directory) Exists(ctx context.Context, actor core.Actor, personID int64) error {
	return d.Persons.Exists(ctx, actor, personID)
}

// IdentityOf is what a case page shows of a person's identity: the full name (given names,
// then the paternal and maternal surnames, as written in Paraguay), the date of birth and the
// main identity document.
func IdentityOf(id persons.Identity) cases.Identity {
	var name []string
	for _, p := range []string{id.GivenNames, id.PaternalSurname, id.MaternalSurname} {
		if p = strings.TrimSpace(p); p != "" {
			name = append(name, p)
		}
	}
	doc := strings.TrimSpace(id.Document.Number)
	if doc != "" && id.Document.Type != "" {
		doc = id.Document.Type + " " + doc
	}
	return cases.Identity{Name: strings.Join(name, " "), BirthDate: id.BirthDate, Document: doc}
}

// LinkedScreenings is the query the screenings adapter needs of the database.
type LinkedScreenings interface {
	ScreeningsOfPersons(ctx context.Context, agencyID int64, personIDs []int64) (map[int64][]int64, error)
}

// Screenings lists the screenings linked to a case's persons that the reader may open: those
// of the reader's own agency, and only for readers the screenings module lets see them
// (access.CanSeeScreenings). Screenings never travel with a case to another agency.
type Screenings struct{ Store LinkedScreenings }

// ForPersons returns, per person id, the ids of linked screenings the actor may read.
func (s Screenings) ForPersons(ctx context.Context, actor core.Actor, personIDs []int64) (map[int64][]int64, error) {
	if len(personIDs) == 0 || !access.CanSeeScreenings(actor, actor.AgencyID) {
		return map[int64][]int64{}, nil
	}
	return s.Store.ScreeningsOfPersons(ctx, actor.AgencyID, personIDs)
}
