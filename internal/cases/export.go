package cases

import (
	"context"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// ExportedCase is one case of an export with its persons: by pseudonym, and with identities
// only when the export asked for them and the actor may see them on that case.
type ExportedCase struct {
	Case
	Persons []CasePerson
}

// exportPage is how many cases one query of an export reads.
const exportPage = 500

// Export returns every case the actor may see (owned, or shared with their agency at
// operational level or above), newest first, with its persons by pseudonym. With identities,
// persons of cases the actor sees at full level are named too; only a role that may see
// identities may ask for that, and each person named is recorded in the audit chain as
// person.identity.read in the same transaction as the export's own case.export row.
// Analysts, who count cases without seeing them, may not export.
func (s *Service) Export(ctx context.Context, actor core.Actor, identities bool) ([]ExportedCase, error) {
	if !access.CanCountCases(actor) || !access.CanSeeCase(access.CaseLevel(actor, actor.AgencyID, core.ShareNone)) {
		return nil, forbidden
	}
	if identities && !access.CanExportCaseIdentities(actor) {
		return nil, forbidden
	}
	var out []ExportedCase
	named := map[int64]bool{} // person ids whose identity the export shows
	err := s.store.Write(ctx, func(tx Tx) error {
		out = out[:0]
		clear(named)
		q := ListQuery{AgencyID: actor.AgencyID, Owned: true, SharedLevels: []core.ShareLevel{core.ShareOperational, core.ShareFull},
			Filter: Filter{Limit: exportPage}}
		for {
			list, err := tx.ListCases(ctx, q)
			if err != nil {
				return err
			}
			if len(list) > exportPage {
				list = list[:exportPage]
			}
			for _, c := range list {
				if c.AgencyID == actor.AgencyID {
					c.Level = access.CaseLevel(actor, c.AgencyID, core.ShareNone)
				} else {
					c.Level = access.CaseLevel(actor, c.AgencyID, c.Level)
				}
				if !access.CanSeeCase(c.Level) {
					continue
				}
				ps, err := tx.ListCasePersons(ctx, c.ID)
				if err != nil {
					return err
				}
				if identities && access.CanSeeCaseIdentities(actor, c.Level) {
					for _, p := range ps {
						named[p.PersonID] = true
						if err := tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "person.identity.read", ObjectType: "person",
							ObjectID: id(p.PersonID), ObjectAgencyID: c.AgencyID,
							Fields: append([]string{"case:" + id(c.ID), "export"}, identityFields...)}); err != nil {
							return err
						}
					}
				}
				out = append(out, ExportedCase{Case: c, Persons: ps})
			}
			if len(list) < exportPage {
				break
			}
			q.Before = list[len(list)-1].ID
		}
		fields := []string{"number", "title", "status", "exploitation", "department", "persons.pseudonym"}
		if identities {
			fields = append(fields, "persons.identity")
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "case.export", ObjectType: "case",
			ObjectAgencyID: actor.AgencyID, Fields: fields})
	})
	if err != nil {
		return nil, err
	}
	var ids, namedIDs []int64
	for _, c := range out {
		for _, p := range c.Persons {
			ids = append(ids, p.PersonID)
			if named[p.PersonID] {
				namedIDs = append(namedIDs, p.PersonID)
			}
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	names, err := s.pseudonyms(ctx, ids)
	if err != nil {
		return nil, err
	}
	var idents map[int64]Identity
	if len(namedIDs) > 0 && s.cfg.Directory != nil {
		if idents, err = s.cfg.Directory.Identities(ctx, namedIDs); err != nil {
			return nil, err
		}
	}
	for i := range out {
		full := identities && access.CanSeeCaseIdentities(actor, out[i].Level)
		for j := range out[i].Persons {
			p := &out[i].Persons[j]
			p.Pseudonym = names[p.PersonID]
			if ident, ok := idents[p.PersonID]; ok && full {
				p.Identity = &ident
			}
		}
	}
	return out, nil
}
