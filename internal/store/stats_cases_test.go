package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/training"
)

// caseFixture writes synthetic agencies, persons and cases straight into the tables, so that
// the statistics queries are tested on exactly the rows they read. Agencies: 1 labour
// ministry (A), 2 police (B), 3 prosecutor's office (C), 4 children's secretariat (D).
type caseFixture struct {
	t   *testing.T
	db  *store.DB
	ctx context.Context
	cp  int64 // last case_persons id
}

const fixtureAt = "'2026-01-05 12:00:00+00:00'"

func newCaseFixture(t *testing.T, db *store.DB) *caseFixture {
	f := &caseFixture{t: t, db: db, ctx: context.Background()}
	f.exec(`INSERT INTO task_forces (id, name, created_at) VALUES (1, 'Mesa de prueba', %s)`, fixtureAt)
	for i, code := range []string{"MTESS", "PN", "MP", "MINNA"} {
		f.exec(`INSERT INTO agencies (id, task_force_id, code, name, kind, created_at) VALUES (%d, 1, '%s', '%s', 'other', %s)`,
			i+1, code, code, fixtureAt)
		f.exec(`INSERT INTO users (id, agency_id, email, name, roles, password_hash, password_changed_at, created_at)
			VALUES (%d, %d, 'u%d@prueba.example', 'Usuaria %d', 'analyst', '', %s, %s)`, i+1, i+1, i+1, i+1, fixtureAt, fixtureAt)
	}
	return f
}

func (f *caseFixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.db.ExecForTest(f.ctx, fmt.Sprintf(q, args...)); err != nil {
		f.t.Fatalf("%v\n%s", err, fmt.Sprintf(q, args...))
	}
}

// person adds a person record of agency; age < 0 leaves the age unknown.
func (f *caseFixture) person(id, agency int64, gender string, age, birthYear int, citizenship string) {
	ageSQL := "NULL"
	if age >= 0 {
		ageSQL = fmt.Sprint(age)
	}
	f.exec(`INSERT INTO persons (id, agency_id, pseudonym, kind, gender, age_at_identification, birth_year, citizenship,
			kek_id, data_key, given_names, paternal_surname, maternal_surname, other_names, birth_date, document,
			nationality_documents, phones, addresses, version, created_by, created_at, updated_at)
		VALUES (%d, %d, 'V-2026-%05d', 'victim', '%s', %s, %d, '%s', 'k', '', '', '', '', '', '', '', '', '', '', 1, 1, %s, %s)`,
		id, agency, id, gender, ageSQL, birthYear, citizenship, fixtureAt, fixtureAt)
}

// kase adds a case of agency reported on reported ("" opened when not yet opened).
func (f *caseFixture) kase(id, agency int64, reported, opened, dept, exploitation, sector string) {
	f.exec(`INSERT INTO cases (id, agency_id, number, year, seq, title, status, exploitation, sector, department, district,
			reported_on, opened_on, closed_on, source, sensitive, version, created_by, created_at, updated_at)
		VALUES (%d, %d, 'C-%d', 2026, %d, 'Caso ficticio', 'reported', '%s', '%s', '%s', '', '%s', '%s', '', 'other', 0, 1, 1, %s, %s)`,
		id, agency, id, id, exploitation, sector, dept, reported, opened, fixtureAt, fixtureAt)
}

// in puts a person in a case with a role and victim status and returns the case_persons id.
func (f *caseFixture) in(caseID, personID int64, role, status string) int64 {
	f.cp++
	f.exec(`INSERT INTO case_persons (id, case_id, person_id, role, perpetrator_roles, victim_status, status_decided_by,
			agency_id, created_by, created_at) VALUES (%d, %d, %d, '%s', '', '%s', '', 1, 1, %s)`,
		f.cp, caseID, personID, role, status, fixtureAt)
	return f.cp
}

func (f *caseFixture) share(caseID, agency int64, level string) {
	f.exec(`INSERT INTO case_shares (case_id, agency_id, level, granted_by, granted_at) VALUES (%d, %d, '%s', 1, %s)`,
		caseID, agency, level, fixtureAt)
}

func (f *caseFixture) charge(caseID, casePerson int64, filed, outcome, outcomeOn string) {
	f.exec(`INSERT INTO case_charges (case_id, case_person_id, article, filed_on, outcome, outcome_on, sentence, version,
			created_by, agency_id, created_at) VALUES (%d, %d, 'Ley 4788/2012 art. 5', '%s', '%s', '%s', '', 1, 3, 3, %s)`,
		caseID, casePerson, filed, outcome, outcomeOn, fixtureAt)
}

func (f *caseFixture) referral(id, caseID, casePerson int64, service, sent string, delivered bool) {
	at := "'" + sent + " 12:00:00+00:00'"
	f.exec(`INSERT INTO case_referrals (id, case_id, case_person_id, service, to_agency_id, outside_service, consent,
			override_reason, status, from_agency_id, created_by, created_at, sent_at, version)
		VALUES (%d, %d, %d, '%s', 4, '', 'given', '', 'pending', 1, 1, %s, %s, 1)`, id, caseID, casePerson, service, at, at)
	if delivered {
		f.exec(`INSERT INTO case_referral_followups (referral_id, at, delivered, note, by_user, by_agency)
			VALUES (%d, %s, '%s', '', 4, 4)`, id, at, service)
	}
}

// merge records a confirmed merge of person into canonical; undo undoes the active one.
func (f *caseFixture) merge(person, canonical int64) {
	f.exec(`INSERT INTO person_merges (person_id, canonical_person_id, confirmed_by, confirmed_at) VALUES (%d, %d, 1, %s)`,
		person, canonical, fixtureAt)
}

func (f *caseFixture) undo(person int64) {
	f.exec(`UPDATE person_merges SET undone_by = 1, undone_at = %s WHERE person_id = %d AND undone_at IS NULL`, fixtureAt, person)
}

var (
	everything = stats.CaseScope{All: true}
	policeOnly = stats.CaseScope{AgencyID: 2}
)

func victims(t *testing.T, db *store.DB, scope stats.CaseScope) []stats.Victim {
	t.Helper()
	var out []stats.Victim
	if err := db.CaseStats().Victims(context.Background(), scope, func(v *stats.Victim) error {
		out = append(out, *v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func proceedings(t *testing.T, db *store.DB, scope stats.CaseScope) []string {
	t.Helper()
	var out []string
	if err := db.CaseStats().Proceedings(context.Background(), scope, func(p *stats.Proceeding) error {
		out = append(out, fmt.Sprintf("%d %s %s", p.Year, p.Stage, p.Exploitation))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func referrals(t *testing.T, db *store.DB, scope stats.CaseScope) []string {
	t.Helper()
	var out []string
	if err := db.CaseStats().Referrals(context.Background(), scope, func(r *stats.Referral) error {
		s := fmt.Sprintf("%d %s delivered=%v", r.Year, r.Service, r.Delivered)
		if r.First {
			s += fmt.Sprintf(" first after %d days", r.DaysFromIdentification)
		}
		out = append(out, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func describe(v stats.Victim) string {
	return fmt.Sprintf("%d %s %s %s %s %s %s", v.Year, v.Department, v.Exploitation(), v.Sex, v.AgeBand, v.AgeGroup, v.Citizenship)
}

func describeAll(vs []stats.Victim) []string {
	var out []string
	for _, v := range vs {
		out = append(out, describe(v))
	}
	slices.Sort(out)
	return out
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestCaseStatsCountsEachVictimOnceAcrossAgencies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCaseFixture(t, db)
		f.kase(100, 1, "2025-03-01", "2025-03-02", "11", ",ForcedLabour,", "A")
		f.kase(200, 2, "2024-07-10", "2024-07-10", "02", ",SexualExploitation,", "")
		f.kase(300, 3, "2026-01-05", "", "00", ",ForcedLabour,", "")
		// One girl in the three agencies' cases: counted once, identified first by the police.
		f.person(10, 1, "Feminine", 16, 0, ",PRY,ARG,")
		for _, c := range []int64{100, 200, 300} {
			f.in(c, 10, "victim", "actual")
		}
		f.person(11, 1, "Masculine", 30, 0, "")           // presumed only
		f.person(12, 1, "Masculine", 40, 0, ",PRY,")      // not a victim
		f.person(13, 1, "Masculine", 45, 0, ",PRY,")      // a suspect
		f.person(14, 2, "NonConforming", -1, 1990, "bra") // presumed by one agency, actual for another
		f.in(100, 11, "presumed_victim", "possible")
		f.in(100, 12, "presumed_victim", "not_a_victim")
		f.in(100, 13, "suspect", "")
		f.in(100, 14, "presumed_victim", "possible")
		f.in(300, 14, "victim", "actual")

		sameList(t, "identified victims", describeAll(victims(t, db, everything)), []string{
			"2024 02 SexualExploitationAndForcedLabour Female 9--17 0-17 PRY",
			"2026 00 ForcedLabour TransgenderNonConforming 30--38 18+ BRA",
		})
		presumed := everything
		presumed.Presumed = true
		sameList(t, "presumed victims", describeAll(victims(t, db, presumed)), []string{
			"2025 11 ForcedLabour Male 30--38 18+ Unknown",
		})
		// The agency filter keeps only the chosen owners' cases: the year follows.
		sameList(t, "labour ministry's cases", describeAll(victims(t, db, stats.CaseScope{All: true, Agencies: []int64{1, 3}})), []string{
			"2025 11 ForcedLabour Female 9--17 0-17 PRY",
			"2026 00 ForcedLabour TransgenderNonConforming 30--38 18+ BRA",
		})
		// Through the tabulator, as the service counts: two victims, one per year.
		res, err := stats.Tabulate(context.Background(), stats.CaseSource{Data: db.CaseStats(), Scope: everything},
			stats.Query{By: []string{"year"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Read != 2 || res.Matched != 2 {
			t.Errorf("read %d, matched %d; want 2 and 2", res.Read, res.Matched)
		}
	})
}

func TestCaseStatsMergesCountOnceUntilUndone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCaseFixture(t, db)
		f.kase(100, 1, "2025-03-01", "2025-03-02", "11", ",ForcedLabour,", "A")
		f.kase(200, 2, "2024-07-10", "2024-07-10", "02", ",SexualExploitation,", "")
		f.kase(300, 3, "2026-02-01", "2026-02-01", "00", ",ForcedMarriage,", "")
		// Two agencies' records of one woman, and a third record the prosecutor made.
		f.person(20, 1, "Feminine", -1, 2000, "")
		f.person(21, 2, "NonSpecifiedUnknown", 24, 0, ",BRA,")
		f.person(22, 3, "Feminine", 26, 0, ",PRY,")
		f.in(100, 20, "victim", "actual")
		f.in(200, 21, "victim", "actual")
		f.in(300, 22, "victim", "actual")
		apart := []string{
			"2024 02 SexualExploitation Unknown 24--26 18+ BRA",
			"2025 11 ForcedLabour Female 24--26 18+ Unknown",
			"2026 00 OtherExploitation Female 24--26 18+ PRY",
		}
		sameList(t, "before any merge", describeAll(victims(t, db, everything)), apart)

		// 20 merged into 21: one person, the canonical record's fields first, the year the earliest.
		f.merge(20, 21)
		sameList(t, "merged", describeAll(victims(t, db, everything)), []string{
			"2024 02 SexualExploitationAndForcedLabour Female 24--26 18+ BRA",
			"2026 00 OtherExploitation Female 24--26 18+ PRY",
		})
		// 22 merged into 20, which is merged into 21: transitively one person.
		f.merge(22, 20)
		all := victims(t, db, everything)
		if len(all) != 1 || describe(all[0]) != "2024 02 SexualExploitationAndForcedLabour Female 24--26 18+ BRA" ||
			all[0].Flags[stats.IsOtherExploit] != stats.FlagYes {
			t.Errorf("chain 22 -> 20 -> 21: %q", describeAll(all))
		}
		// Undoing 20 -> 21 leaves 22 with 20, and 21 alone.
		f.undo(20)
		sameList(t, "after undoing 20 -> 21", describeAll(victims(t, db, everything)), []string{
			"2024 02 SexualExploitation Unknown 24--26 18+ BRA",
			"2025 11 ForcedLabour Female 24--26 18+ PRY",
		})
		f.undo(22)
		sameList(t, "every merge undone", describeAll(victims(t, db, everything)), apart)

		// A cycle of merges (never written by linkage, but guarded against) is one person.
		f.merge(20, 21)
		f.merge(21, 20)
		if n := len(victims(t, db, everything)); n != 2 {
			t.Errorf("with the cycle 20 <-> 21: %d victims, want 2 (20/21 and 22)", n)
		}
	})
}

// scopeFixture: the labour ministry's unshared case 100 (2025) with victims 10 and 30, a
// suspect charged and convicted, and a referral; the police's case 200 (2024) with victim 10,
// referred two days after identification; a presumed victim referred too.
func scopeFixture(t *testing.T, db *store.DB) *caseFixture {
	f := newCaseFixture(t, db)
	f.kase(100, 1, "2025-03-01", "2025-03-02", "11", ",ForcedLabour,", "A")
	f.kase(200, 2, "2024-07-10", "2024-07-10", "02", ",SexualExploitation,", "")
	f.person(10, 1, "Feminine", 16, 0, ",PRY,")
	f.person(30, 1, "Masculine", 35, 0, ",PRY,")
	f.person(31, 1, "Masculine", 50, 0, ",PRY,")
	f.person(32, 1, "Feminine", 19, 0, ",BOL,")
	v10a := f.in(100, 10, "victim", "actual")
	v30 := f.in(100, 30, "victim", "actual")
	s31 := f.in(100, 31, "suspect", "")
	p32 := f.in(100, 32, "presumed_victim", "possible")
	v10b := f.in(200, 10, "victim", "actual")
	f.charge(100, s31, "2025-05-01", "conviction", "2026-02-01")
	f.referral(1, 200, v10b, "health", "2024-07-12", true)
	f.referral(2, 100, v10a, "shelter", "2025-03-05", false)
	f.referral(3, 100, v30, "legal_aid", "2025-03-01", true)
	f.referral(4, 100, p32, "psychological", "2025-03-03", false)
	return f
}

func TestCaseStatsScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := scopeFixture(t, db)
		ctx := context.Background()
		policeAnalyst := core.Actor{UserID: 2, AgencyID: 2, Roles: []core.Role{core.RoleAnalyst}}
		field := func(q training.FieldQuery) training.FieldFigures {
			t.Helper()
			got, ok, err := db.CaseStats().CountsInField(ctx, policeAnalyst, q)
			if err != nil || !ok {
				t.Fatalf("CountsInField: %v %v", ok, err)
			}
			return got
		}
		y2025 := training.FieldQuery{Department: "11", From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		ministry2025 := y2025
		ministry2025.Department, ministry2025.AgencyID = "", 1

		// The police analyst sees nothing of the ministry's unshared case, in any table.
		sameList(t, "police victims", describeAll(victims(t, db, policeOnly)), []string{
			"2024 02 SexualExploitation Female 9--17 0-17 PRY"})
		presumed := policeOnly
		presumed.Presumed = true
		sameList(t, "police presumed victims", describeAll(victims(t, db, presumed)), nil)
		sameList(t, "police proceedings", proceedings(t, db, policeOnly), []string{"2024 Investigation SexualExploitation"})
		sameList(t, "police referrals", referrals(t, db, policeOnly), []string{"2024 Health delivered=true first after 2 days"})
		if got := field(y2025); got != (training.FieldFigures{}) {
			t.Errorf("police field figures in department 11 before sharing: %+v", got)
		}
		if got := field(ministry2025); got != (training.FieldFigures{}) {
			t.Errorf("police field figures of the ministry before sharing: %+v", got)
		}
		// Another agency's share does not count for the police.
		f.share(100, 3, "full")
		sameList(t, "police victims with the case shared elsewhere", describeAll(victims(t, db, policeOnly)), []string{
			"2024 02 SexualExploitation Female 9--17 0-17 PRY"})

		// Everything, as a system administrator counts it.
		all := []string{"2024 02 SexualExploitationAndForcedLabour Female 9--17 0-17 PRY", "2025 11 ForcedLabour Male 30--38 18+ PRY"}
		allProceedings := []string{"2024 Investigation SexualExploitation", "2025 Investigation ForcedLabour",
			"2025 Prosecution ForcedLabour", "2026 Conviction ForcedLabour"}
		allReferrals := []string{"2024 Health delivered=true first after 2 days", "2025 Accommodation delivered=false",
			"2025 Legal delivered=true first after 0 days", "2025 Psychosocial delivered=false"}
		sameList(t, "all victims", describeAll(victims(t, db, everything)), all)
		sameList(t, "all proceedings", proceedings(t, db, everything), allProceedings)
		sameList(t, "all referrals", referrals(t, db, everything), allReferrals)

		// Shared with the police at statistical level: the police count it too.
		f.share(100, 2, "statistical")
		sameList(t, "police victims after sharing", describeAll(victims(t, db, policeOnly)), all)
		sameList(t, "police proceedings after sharing", proceedings(t, db, policeOnly), allProceedings)
		sameList(t, "police referrals after sharing", referrals(t, db, policeOnly), allReferrals)
		sameList(t, "police presumed victims after sharing", describeAll(victims(t, db, presumed)), []string{
			"2025 11 ForcedLabour Female 18--20 18+ BOL"})
		want := training.FieldFigures{VictimsIdentified: 2, CasesOpened: 1}
		if got := field(y2025); got != want {
			t.Errorf("police field figures in department 11: %+v, want %+v", got, want)
		}
		if got := field(ministry2025); got != want {
			t.Errorf("police field figures of the ministry: %+v, want %+v", got, want)
		}
		y2024 := training.FieldQuery{Department: "02", From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: y2025.From}
		if got := field(y2024); got != (training.FieldFigures{VictimsIdentified: 1, CasesOpened: 1}) {
			t.Errorf("police field figures in department 02 in 2024: %+v", got)
		}
		// Trainers see the reach, never victim counts.
		trainer := core.Actor{UserID: 2, AgencyID: 2, Roles: []core.Role{core.RoleTrainer}}
		if _, ok, err := db.CaseStats().CountsInField(ctx, trainer, y2025); ok || err != nil {
			t.Errorf("a trainer got case figures: %v %v", ok, err)
		}
	})
}

// TestCaseStatsProceedings counts a prosecutor's case as the demo has them: two accused, one
// charged twice and convicted on one charge, one dismissed, and charges against an accused
// not yet named in the case.
func TestCaseStatsProceedings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newCaseFixture(t, db)
		f.kase(400, 3, "2024-11-02", "2024-11-03", "10", ",SexualExploitation,ForcedLabour,", "I")
		f.kase(401, 1, "2025-02-01", "2025-02-03", "11", ",ChildLabour,Criadazgo,", "T")
		f.kase(402, 1, "2025-06-01", "", "11", ",ForcedBegging,", "")
		f.kase(403, 2, "2025-08-01", "2025-08-02", "00", "", "")
		f.person(41, 3, "Masculine", 44, 0, ",PRY,")
		f.person(42, 3, "Masculine", 38, 0, ",BRA,")
		s41, s42 := f.in(400, 41, "suspect", ""), f.in(400, 42, "suspect", "")
		f.charge(400, s41, "2025-01-10", "conviction", "2025-09-30")
		f.charge(400, s41, "2025-02-01", "acquittal", "2025-09-30")
		f.charge(400, s42, "2025-01-10", "dismissal", "2025-06-30")
		f.charge(400, 0, "2025-03-01", "", "")
		f.charge(400, 0, "2025-04-01", "", "")
		f.charge(401, 0, "2026-01-15", "", "")
		sameList(t, "proceedings", proceedings(t, db, everything), []string{
			"2024 Investigation SexualExploitationAndForcedLabour",
			"2025 Conviction SexualExploitationAndForcedLabour",
			"2025 Investigation ForcedLabour",
			"2025 Investigation Unknown",
			"2025 Prosecution SexualExploitationAndForcedLabour",
			"2025 Prosecution SexualExploitationAndForcedLabour",
			"2025 Prosecution SexualExploitationAndForcedLabour",
			"2026 Prosecution ForcedLabour",
		})
		// Tabulated as the dashboard shows them.
		tab, err := stats.ProceedingsTable(context.Background(), db.CaseStats(), everything, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := tab.GrandTotal(); got != 8 {
			t.Errorf("proceedings in the table: %d, want 8", got)
		}
		for _, c := range []struct {
			codes []string
			want  int64
		}{
			{[]string{"2025", stats.StageProsecution, stats.ExploitSexualAndLabor}, 3},
			{[]string{"2025", stats.StageConviction, stats.ExploitSexualAndLabor}, 1},
			{[]string{"2025", stats.StageInvestigation, stats.Unknown}, 1},
			{[]string{"2026", stats.StageProsecution, stats.ExploitLabour}, 1},
			{[]string{"Total", stats.StageInvestigation, "Total"}, 3},
		} {
			if got := cell(t, tab, c.codes...); got != c.want {
				t.Errorf("cell %v = %d, want %d", c.codes, got, c.want)
			}
		}
	})
}

func TestCaseStatsTimeToReferral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		scopeFixture(t, db)
		tab, err := stats.TimeToReferralTable(context.Background(), db.CaseStats(), everything)
		if err != nil {
			t.Fatal(err)
		}
		// Victim 10: identified 2024-07-10, first referred 2024-07-12 (2-7 days); victim 30:
		// referred the day the case was reported (0-1 days); the presumed victim is not timed.
		if got := tab.GrandTotal(); got != 2 {
			t.Errorf("first referrals timed: %d, want 2", got)
		}
		if cell(t, tab, "2024", "2-7 days") != 1 || cell(t, tab, "2025", "0-1 days") != 1 {
			t.Errorf("time to first referral: 2024 2-7 days %d, 2025 0-1 days %d", cell(t, tab, "2024", "2-7 days"), cell(t, tab, "2025", "0-1 days"))
		}
	})
}

// cell finds a table's cell by its codes (Total for a margin).
func cell(t *testing.T, tab *stats.Table, codes ...string) int64 {
	t.Helper()
	for i := range tab.Len() {
		if slices.Equal(tab.CellCodes(i), codes) {
			return tab.At(i)
		}
	}
	t.Fatalf("no cell %v", codes)
	return 0
}
