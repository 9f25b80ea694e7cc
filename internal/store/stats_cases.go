package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/training"
)

// The case database as statistics count it (stats.CaseData) and as the training effect report
// counts it (training.FieldCounts). Definitions, documented in docs/statistics.md:
//
//   - An identified victim is a person whose trafficking status in a case is actual (HTCDS
//     ActualVictimOfTrafficking); a presumed victim has status possible in a case in scope and
//     actual in none. Persons with status not_a_victim, and suspects, witnesses and reporters,
//     are never victims.
//   - A person is counted once by statistical identity: the canonical person of their active
//     record-linkage merge (person_merges with undone_at NULL), followed transitively, else
//     their own record. A cycle of merges (which the linkage module should never write) counts
//     as one person, the lowest id of the cycle.
//   - The date of identification is the reported date of the earliest case in scope in which
//     the person has the status counted (ties: the lowest case id); its year is the year of the
//     table and its department the department of the table. Status decisions carry no date of
//     their own, and the reported date is a fact of the case that does not move when records
//     are entered late, so the figures of a year do not change afterwards.
//   - Only cases in scope are read: the year, department and form of exploitation of a victim
//     come from the cases the counting agency may count, never from another agency's.

// CaseStats is the case database seen by statistics and by the training effect report.
type CaseStats struct{ db *DB }

// CaseStats returns the case database as statistics count it.
func (db *DB) CaseStats() CaseStats { return CaseStats{db} }

var (
	_ stats.CaseData       = CaseStats{}
	_ training.FieldCounts = CaseStats{}
)

// scopeClause is the condition on cases c of the scope: the counting agency's own cases and
// those shared with it at any level (statistical sharing exists for this), or all; narrowed to
// the scope's agencies when it names some. It appends its arguments to args.
func scopeClause(scope stats.CaseScope, args *[]any) string {
	ph := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	var conds []string
	if !scope.All {
		levels := make([]string, len(core.ShareLevels))
		for i, l := range core.ShareLevels {
			levels[i] = ph(string(l))
		}
		a := ph(scope.AgencyID)
		conds = append(conds, `(c.agency_id = `+a+` OR EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = c.id
			AND s.agency_id = `+a+` AND s.level IN (`+strings.Join(levels, ", ")+`)))`)
	}
	if len(scope.Agencies) > 0 {
		ids := make([]string, len(scope.Agencies))
		for i, id := range scope.Agencies {
			ids[i] = ph(id)
		}
		conds = append(conds, `c.agency_id IN (`+strings.Join(ids, ", ")+`)`)
	}
	if len(conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(conds, " AND ")
}

// mergeResolver maps person records to their statistical identity.
type mergeResolver struct {
	// identity holds every person taking part in an active merge, as merged or as canonical.
	identity map[int64]int64
}

func (m mergeResolver) of(personID int64) int64 {
	if id, ok := m.identity[personID]; ok {
		return id
	}
	return personID
}

// merged reports whether the person shares its identity with other records.
func (m mergeResolver) merged(personID int64) bool {
	_, ok := m.identity[personID]
	return ok
}

// resolveMerges follows active merges to their end. A chain A -> B -> C makes A, B and C
// one identity, C; a cycle becomes its lowest id.
func resolveMerges(next map[int64]int64) mergeResolver {
	m := mergeResolver{identity: make(map[int64]int64, 2*len(next))}
	for start := range next {
		if _, done := m.identity[start]; done {
			continue
		}
		var path []int64
		onPath := map[int64]bool{}
		p := start
		var root int64
		for {
			if id, done := m.identity[p]; done {
				root = id
				break
			}
			if onPath[p] {
				// A cycle: from p round to p again.
				i := slices.Index(path, p)
				root = slices.Min(path[i:])
				break
			}
			n, ok := next[p]
			if !ok {
				root = p
				break
			}
			onPath[p] = true
			path = append(path, p)
			p = n
		}
		for _, q := range path {
			m.identity[q] = root
		}
		m.identity[root] = root
	}
	return m
}

func (tx *Tx) mergeResolver(ctx context.Context) (mergeResolver, error) {
	rows, err := tx.query(ctx, `SELECT person_id, canonical_person_id FROM person_merges WHERE undone_at IS NULL`)
	if err != nil {
		return mergeResolver{}, err
	}
	defer rows.Close()
	next := map[int64]int64{}
	for rows.Next() {
		var p, c int64
		if err := rows.Scan(&p, &c); err != nil {
			return mergeResolver{}, tx.db.translateErr(err)
		}
		next[p] = c
	}
	if err := rows.Err(); err != nil {
		return mergeResolver{}, tx.db.translateErr(err)
	}
	return resolveMerges(next), nil
}

// Forms of exploitation of the case module (HTCDS vic_TypeOfExploitation and criadazgo) as
// the coarse CTDC flags: child labour, servitude and criadazgo are forced labour (GLOTIP
// counts servitude with forced labour); forced begging, marriage, adoption, organ removal,
// surrogacy and forced military service are other forms.
var (
	labourForms = []string{"ForcedLabour", "ChildLabour", "Servitude", "Criadazgo"}
	sexualForms = []string{"SexualExploitation"}
	// Labour sectors of CTDC v2024 by ISIC section, for cases of forced labour.
	sectorFlags = map[string]stats.FlagID{"A": stats.LabourAgriculture, "F": stats.LabourConstruction,
		"T": stats.LabourDomesticWork, "I": stats.LabourHospitality}
)

// caseForms is what a case says about exploitation, as a set of yes-flags; known is false when
// the case records no form.
type caseForms struct {
	known bool
	yes   uint32 // bit i set: flag i is yes
}

func formsOf(exploitation, sector string) caseForms {
	var f caseForms
	set := func(id stats.FlagID) { f.yes |= 1 << uint(id) }
	labour := false
	for _, form := range splitSet(exploitation) {
		f.known = true
		switch {
		case slices.Contains(labourForms, form):
			labour = true
			set(stats.IsForcedLabour)
			if form == "Criadazgo" {
				set(stats.LabourDomesticWork)
			}
		case slices.Contains(sexualForms, form):
			set(stats.IsSexualExploit)
		default:
			set(stats.IsOtherExploit)
		}
	}
	if id, ok := sectorFlags[sector]; ok && labour {
		set(id)
	}
	return f
}

func (f *caseForms) add(g caseForms) {
	f.known = f.known || g.known
	f.yes |= g.yes
}

// apply writes the forms into a reset record: the three coarse flags yes or no when any form
// is known, the sectors yes where recorded.
func (f caseForms) apply(v *stats.Victim) {
	if !f.known {
		return
	}
	for _, id := range []stats.FlagID{stats.IsForcedLabour, stats.IsSexualExploit, stats.IsOtherExploit} {
		v.Flags[id] = stats.FlagNo
	}
	for id := stats.FlagID(0); id < stats.NumFlags; id++ {
		if f.yes&(1<<uint(id)) != 0 {
			v.Flags[id] = stats.FlagYes
		}
	}
}

// exploitation is the one category of a case's forms.
func (f caseForms) exploitation() string {
	var v stats.Victim
	v.Reset()
	f.apply(&v)
	return v.Exploitation()
}

// sexOf maps HTCDS prs_Gender to the UNODC sex categories.
func sexOf(gender string) string {
	switch gender {
	case "Feminine":
		return stats.SexFemale
	case "Masculine":
		return stats.SexMale
	case "TransgenderFeminine", "TransgenderMasculine", "NonConforming":
		return stats.SexTransgenderNonConforming
	}
	return stats.Unknown
}

// personFacts are a person record's open statistical fields.
type personFacts struct {
	id          int64
	gender      string
	age         sql.NullInt64
	birthYear   int
	citizenship string
}

// victimFacts gathers what the cases in scope say about one identity.
type victimFacts struct {
	identity  int64
	first     string // earliest reported date counted, YYYY-MM-DD
	firstCase int64
	dept      string
	forms     caseForms
	actual    bool
	possible  bool
	persons   []personFacts
}

func (v *victimFacts) reset(identity int64) {
	persons := v.persons[:0]
	*v = victimFacts{identity: identity, persons: persons}
}

// see adds one row: the person in one case with one status. Rows of a person come in order of
// reported date, but rows of merged records do not, hence the comparison.
func (v *victimFacts) see(status, reported string, caseID int64, dept string, forms caseForms) {
	switch status {
	case "actual":
		v.actual = true
	case "possible":
		v.possible = true
	}
	if v.firstCase == 0 || reported < v.first || (reported == v.first && caseID < v.firstCase) {
		v.first, v.firstCase, v.dept = reported, caseID, dept
	}
	v.forms.add(forms)
}

func (v *victimFacts) merge(o *victimFacts) {
	v.actual = v.actual || o.actual
	v.possible = v.possible || o.possible
	if v.firstCase == 0 || (o.firstCase != 0 && (o.first < v.first || (o.first == v.first && o.firstCase < v.firstCase))) {
		v.first, v.firstCase, v.dept = o.first, o.firstCase, o.dept
	}
	v.forms.add(o.forms)
	for _, p := range o.persons {
		if !slices.ContainsFunc(v.persons, func(q personFacts) bool { return q.id == p.id }) {
			v.persons = append(v.persons, p)
		}
	}
}

func yearOf(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil || y < 1900 {
		return 0
	}
	return y
}

// record fills a reset Victim. The open fields come from the canonical record when it is in
// scope, else from the record with the lowest id; a field that record leaves unknown is taken
// from the next record that knows it.
func (v *victimFacts) record(out *stats.Victim) {
	out.Reset()
	out.Year = yearOf(v.first)
	if v.dept != "" {
		out.Department = v.dept
	}
	v.forms.apply(out)
	slices.SortFunc(v.persons, func(a, b personFacts) int {
		switch {
		case a.id == v.identity:
			return -1
		case b.id == v.identity:
			return 1
		}
		return int(a.id - b.id)
	})
	for _, p := range v.persons {
		if out.Sex == stats.Unknown {
			out.Sex = sexOf(p.gender)
		}
		if out.AgeBand == stats.Unknown {
			switch {
			case p.age.Valid:
				out.AgeBand = stats.AgeBandOfAge(int(p.age.Int64))
			case p.birthYear > 0 && out.Year > 0 && out.Year >= p.birthYear:
				out.AgeBand = stats.AgeBandOfAge(out.Year - p.birthYear)
			}
		}
		if out.Citizenship == stats.Unknown {
			if c, _, _ := strings.Cut(strings.Trim(p.citizenship, ","), ","); c != "" {
				out.Citizenship = strings.ToUpper(c)
			}
		}
	}
	out.AgeGroup = stats.AgeGroupOfBand(out.AgeBand)
}

// eachVictimFacts streams, once per identity, what the cases in scope say of the persons
// with one of statuses in a case. Identities of unmerged persons come in person order as the
// rows are read; merged identities are gathered and come last, in identity order.
func (tx *Tx) eachVictimFacts(ctx context.Context, scope stats.CaseScope, statuses []string, extra string, extraArgs []any,
	fn func(*victimFacts) error) error {
	merges, err := tx.mergeResolver(ctx)
	if err != nil {
		return err
	}
	args := slices.Clone(extraArgs)
	in := make([]string, len(statuses))
	for i, s := range statuses {
		args = append(args, s)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	where := scopeClause(scope, &args)
	rows, err := tx.query(ctx, `SELECT cp.person_id, cp.victim_status, c.id, c.reported_on, c.department, c.exploitation, c.sector,
			COALESCE(p.gender, ''), p.age_at_identification, COALESCE(p.birth_year, 0), COALESCE(p.citizenship, '')
		FROM case_persons cp JOIN cases c ON c.id = cp.case_id LEFT JOIN persons p ON p.id = cp.person_id
		WHERE cp.victim_status IN (`+strings.Join(in, ", ")+`) AND `+where+extra+`
		ORDER BY cp.person_id, c.reported_on, c.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	gathered := map[int64]*victimFacts{}
	var cur victimFacts
	var curPerson int64
	flush := func() error {
		if curPerson == 0 {
			return nil
		}
		if !merges.merged(curPerson) {
			return fn(&cur)
		}
		id := merges.of(curPerson)
		g := gathered[id]
		if g == nil {
			g = &victimFacts{identity: id}
			gathered[id] = g
		}
		g.merge(&cur)
		return nil
	}
	for rows.Next() {
		var (
			personID, caseID                             int64
			status, reported, dept, exploitation, sector string
			gender, citizenship                          string
			age                                          sql.NullInt64
			birthYear                                    int
		)
		if err := rows.Scan(&personID, &status, &caseID, &reported, &dept, &exploitation, &sector,
			&gender, &age, &birthYear, &citizenship); err != nil {
			return tx.db.translateErr(err)
		}
		if personID != curPerson {
			if err := flush(); err != nil {
				return err
			}
			curPerson = personID
			cur.reset(merges.of(personID))
			cur.persons = append(cur.persons, personFacts{id: personID, gender: gender, age: age, birthYear: birthYear,
				citizenship: citizenship})
		}
		cur.see(status, reported, caseID, dept, formsOf(exploitation, sector))
	}
	if err := rows.Err(); err != nil {
		return tx.db.translateErr(err)
	}
	if err := flush(); err != nil {
		return err
	}
	ids := make([]int64, 0, len(gathered))
	for id := range gathered {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := fn(gathered[id]); err != nil {
			return err
		}
	}
	return nil
}

// Victims streams one record per identified victim in scope (or, with scope.Presumed, per
// presumed victim), counted once by statistical identity.
func (s CaseStats) Victims(ctx context.Context, scope stats.CaseScope, fn func(*stats.Victim) error) error {
	statuses := []string{"actual"}
	if scope.Presumed {
		statuses = []string{"actual", "possible"}
	}
	var v stats.Victim
	return s.db.ReadTx(ctx, func(tx *Tx) error {
		return tx.eachVictimFacts(ctx, scope, statuses, "", nil, func(f *victimFacts) error {
			if scope.Presumed && f.actual {
				return nil
			}
			f.record(&v)
			return fn(&v)
		})
	})
}

// Proceedings streams, within the scope: one investigation per case opened (year of its
// opening date), one prosecution per person charged in a case (year of the first charge
// filed), one conviction per person convicted in a case (year of the first conviction). A
// charge whose accused is not yet named in the case counts as one person per case. The form of
// exploitation is the case's.
func (s CaseStats) Proceedings(ctx context.Context, scope stats.CaseScope, fn func(*stats.Proceeding) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error {
		var args []any
		where := scopeClause(scope, &args)
		rows, err := tx.query(ctx, `SELECT c.opened_on, c.exploitation, c.sector FROM cases c
			WHERE c.opened_on <> '' AND `+where+` ORDER BY c.id`, args...)
		if err != nil {
			return err
		}
		p := stats.Proceeding{Stage: stats.StageInvestigation}
		for rows.Next() {
			var opened, exploitation, sector string
			if err := rows.Scan(&opened, &exploitation, &sector); err != nil {
				rows.Close()
				return tx.db.translateErr(err)
			}
			p.Year, p.Exploitation = yearOf(opened), formsOf(exploitation, sector).exploitation()
			if err := fn(&p); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return tx.db.translateErr(err)
		}
		rows.Close()
		args = nil
		where = scopeClause(scope, &args)
		rows, err = tx.query(ctx, `SELECT MIN(NULLIF(ch.filed_on, '')),
				MIN(CASE WHEN ch.outcome = 'conviction' THEN ch.outcome_on END),
				MAX(CASE WHEN ch.outcome = 'conviction' THEN 1 ELSE 0 END), c.exploitation, c.sector
			FROM case_charges ch JOIN cases c ON c.id = ch.case_id
			WHERE `+where+`
			GROUP BY ch.case_id, ch.case_person_id, c.exploitation, c.sector
			ORDER BY ch.case_id, ch.case_person_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var filed, convicted sql.NullString
			var conviction int
			var exploitation, sector string
			if err := rows.Scan(&filed, &convicted, &conviction, &exploitation, &sector); err != nil {
				return tx.db.translateErr(err)
			}
			form := formsOf(exploitation, sector).exploitation()
			p := stats.Proceeding{Stage: stats.StageProsecution, Year: yearOf(filed.String), Exploitation: form}
			if err := fn(&p); err != nil {
				return err
			}
			if conviction == 1 {
				p = stats.Proceeding{Stage: stats.StageConviction, Year: yearOf(convicted.String), Exploitation: form}
				if err := fn(&p); err != nil {
					return err
				}
			}
		}
		return tx.db.translateErr(rows.Err())
	})
}

// referralServices maps the case module's services to HTCDS spl_Type values.
var referralServices = map[string]string{
	"shelter": "Accommodation", "health": "Health", "psychological": "Psychosocial", "legal_aid": "Legal",
	"repatriation": "Repatriation", "education": "Education", "livelihood": "Livelihood",
}

type referralRow struct {
	identity  int64
	service   string
	on        string // YYYY-MM-DD of sending (UTC)
	id        int64
	delivered bool
}

// Referrals streams every referral made from a case in scope, whatever became of it (the
// date is when it was sent); Delivered when a follow-up records the referred service
// delivered. The first referral of each identified victim (earliest date, then lowest id)
// carries the days from identification (as Victims dates it) to it, 0 when it was sent
// before the case's reported date.
func (s CaseStats) Referrals(ctx context.Context, scope stats.CaseScope, fn func(*stats.Referral) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error {
		merges, err := tx.mergeResolver(ctx)
		if err != nil {
			return err
		}
		var args []any
		where := scopeClause(scope, &args)
		rows, err := tx.query(ctx, `SELECT r.id, cp.person_id, r.service, r.created_at, r.sent_at,
				CASE WHEN EXISTS (SELECT 1 FROM case_referral_followups f WHERE f.referral_id = r.id AND f.delivered = r.service)
					THEN 1 ELSE 0 END
			FROM case_referrals r JOIN cases c ON c.id = r.case_id JOIN case_persons cp ON cp.id = r.case_person_id
			WHERE `+where+` ORDER BY r.id`, args...)
		if err != nil {
			return err
		}
		var list []referralRow
		first := map[int64]int{} // identity -> index in list of its first referral
		for rows.Next() {
			var r referralRow
			var personID int64
			var created time.Time
			var sent sql.NullTime
			var delivered int
			if err := rows.Scan(&r.id, &personID, &r.service, &created, &sent, &delivered); err != nil {
				rows.Close()
				return tx.db.translateErr(err)
			}
			at := created
			if sent.Valid {
				at = sent.Time
			}
			r.identity, r.on, r.delivered = merges.of(personID), at.UTC().Format(time.DateOnly), delivered == 1
			if i, ok := first[r.identity]; !ok || r.on < list[i].on {
				first[r.identity] = len(list)
			}
			list = append(list, r)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return tx.db.translateErr(err)
		}
		rows.Close()
		// The identification dates of the victims referred.
		identified := map[int64]string{}
		err = tx.eachVictimFacts(ctx, scope, []string{"actual"}, "", nil, func(f *victimFacts) error {
			if _, ok := first[f.identity]; ok {
				identified[f.identity] = f.first
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, r := range list {
			out := stats.Referral{Year: yearOf(r.on), Service: stats.Unknown, Delivered: r.delivered, DaysFromIdentification: -1}
			if sv, ok := referralServices[r.service]; ok {
				out.Service = sv
			}
			if idDate, ok := identified[r.identity]; ok && first[r.identity] == i {
				out.First = true
				out.DaysFromIdentification = daysBetween(idDate, r.on)
			}
			if err := fn(&out); err != nil {
				return err
			}
		}
		return nil
	})
}

// daysBetween counts the days from one YYYY-MM-DD date to a later one: 0 when the later comes
// first, -1 when either is not a date.
func daysBetween(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return -1
	}
	return max(int(b.Sub(a).Hours()/24), 0)
}

// CountsInField counts, for the training effect report, the victims identified (distinct
// identities with status actual in a case reported in the period) and the cases opened (cases
// registered, by their reported date, as victims are dated: the field's detections, whatever
// the later workflow) in a department or by an agency (the owning agency of the cases), among
// the cases the actor may count under the statistics rule. Actors who may not use statistics
// (trainers) get no case figures: ok is false and the report says so.
func (s CaseStats) CountsInField(ctx context.Context, actor core.Actor, q training.FieldQuery) (training.FieldFigures, bool, error) {
	if !access.CanUseStats(actor) {
		return training.FieldFigures{}, false, nil
	}
	scope := stats.CaseScope{All: access.CanCountAllAgencies(actor), AgencyID: actor.AgencyID}
	from, to := q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)
	var f training.FieldFigures
	err := s.db.ReadTx(ctx, func(tx *Tx) error {
		var args []any
		ph := func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args))
		}
		place := " AND c.department = " + ph(q.Department)
		if q.Department == "" {
			args = args[:0]
			place = " AND c.agency_id = " + ph(q.AgencyID)
		}
		reported := " AND c.reported_on >= " + ph(from) + " AND c.reported_on < " + ph(to)
		err := tx.eachVictimFacts(ctx, scope, []string{"actual"}, place+reported, args, func(*victimFacts) error {
			f.VictimsIdentified++
			return nil
		})
		if err != nil {
			return err
		}
		cargs := slices.Clone(args[:1])
		opened := " AND c.reported_on >= $2 AND c.reported_on < $3"
		cargs = append(cargs, from, to)
		where := scopeClause(scope, &cargs)
		if err := tx.queryRow(ctx, `SELECT count(*) FROM cases c WHERE `+where+place+opened, cargs...).Scan(&f.CasesOpened); err != nil {
			return tx.scanErr(err)
		}
		return nil
	})
	if err != nil {
		return training.FieldFigures{}, false, err
	}
	return f, true, nil
}
