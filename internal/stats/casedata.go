package stats

import (
	"cmp"
	"context"
	"slices"
	"strconv"
)

// CaseScope says whose cases a case-database table counts. Tables count the cases the
// counting agency owns or has been shared at any level (statistical sharing exists for this),
// or every agency's for system administrators; another agency's cases never enter a table
// otherwise, not even as a count.
type CaseScope struct {
	// All counts every agency's cases.
	All bool
	// AgencyID is the counting agency when All is false.
	AgencyID int64
	// Agencies, when not empty, keeps only the cases owned by these agencies, within the
	// scope (the dashboard's agency filter).
	Agencies []int64
	// Presumed makes Victims stream the presumed victims instead of the identified ones:
	// persons whose trafficking status is possible (HTCDS PossibleVictimOfTrafficking) in a
	// case in scope and actual in none. Identified victims are those with status actual
	// (ActualVictimOfTrafficking); the two never overlap.
	Presumed bool
}

// Proceeding stages, one Proceeding each: an investigation opened (one per case), a person
// prosecuted and a person convicted (one per person and case, as GLOTIP counts persons).
const (
	StageInvestigation = "Investigation"
	StageProsecution   = "Prosecution"
	StageConviction    = "Conviction"
)

// Stages are the proceeding stages in the order tables show them.
var Stages = []string{StageInvestigation, StageProsecution, StageConviction}

// Proceeding is one investigation, prosecution or conviction as statistics count it.
type Proceeding struct {
	Stage string
	// Year the stage was reached; 0 when unknown.
	Year int
	// Exploitation is one of the forms of exploitation (ExploitSexual...) or Unknown.
	Exploitation string
}

// Referral is one referral of a victim to a service.
type Referral struct {
	// Year the referral was made; 0 when unknown.
	Year int
	// Service is the HTCDS support-plan type (spl_Type: Education, Financial, Health, Legal,
	// Livelihood, ...), or Unknown.
	Service string
	// Delivered reports that the service was delivered, not only offered.
	Delivered bool
	// First marks the victim's first referral; DaysFromIdentification is then the number of
	// days from identification to it (negative when either date is unknown).
	First                  bool
	DaysFromIdentification int
}

// CaseData is what the case module provides to statistics: its records stripped to the
// categories that are counted. The implementation decides nothing about disclosure; it must
// respect the scope and count each person once.
type CaseData interface {
	// Victims streams one record per identified victim in scope: one per person, persons
	// joined by confirmed record-linkage merges being one person, however many cases and
	// agencies hold them. Year is the year of first identification, Department the INE code
	// of the department where the person was identified. The record is reused after fn.
	Victims(ctx context.Context, scope CaseScope, fn func(*Victim) error) error
	// Proceedings streams the investigations, prosecutions and convictions in scope.
	Proceedings(ctx context.Context, scope CaseScope, fn func(*Proceeding) error) error
	// Referrals streams the referrals to services of the victims in scope.
	Referrals(ctx context.Context, scope CaseScope, fn func(*Referral) error) error
}

// CaseSource is the case database as a Source of victims.
type CaseSource struct {
	Data  CaseData
	Scope CaseScope
}

// Each streams the victims in scope.
func (s CaseSource) Each(ctx context.Context, fn func(*Victim) error) error {
	return s.Data.Victims(ctx, s.Scope, fn)
}

// counter builds a table from category codes counted one record at a time.
type counter struct {
	axes   []Axis
	order  []func(a, b string) int
	seen   []map[string]bool
	counts map[string]int64
}

func newCounter(axes []Axis, order ...func(a, b string) int) *counter {
	c := &counter{axes: axes, order: order, seen: make([]map[string]bool, len(axes)), counts: map[string]int64{}}
	for i := range c.seen {
		c.seen[i] = map[string]bool{}
	}
	return c
}

func countKey(codes []string) string {
	k := ""
	for _, c := range codes {
		k += c + "\x1f"
	}
	return k
}

func (c *counter) add(codes ...string) {
	for d, code := range codes {
		c.seen[d][code] = true
	}
	c.counts[countKey(codes)]++
}

func (c *counter) table(fixed [][]string) *Table {
	axes := slices.Clone(c.axes)
	for d := range axes {
		var codes []string
		if d < len(fixed) && fixed[d] != nil {
			codes = slices.Clone(fixed[d])
			for code := range c.seen[d] {
				if !slices.Contains(codes, code) {
					codes = append(codes, code)
				}
			}
		} else {
			for code := range c.seen[d] {
				codes = append(codes, code)
			}
			slices.SortFunc(codes, c.order[d])
		}
		axes[d].Categories = nil
		for _, code := range codes {
			axes[d].Categories = append(axes[d].Categories, Category{Code: code, Label: code})
		}
	}
	return TableFromCounts(axes, func(codes []string) int64 { return c.counts[countKey(codes)] })
}

func yearCode(y int) string {
	if y == 0 {
		return Unknown
	}
	return strconv.Itoa(y)
}

var yearDim, _ = LookupDimension("year")

// ProceedingsTable counts investigations opened, persons prosecuted and persons convicted by
// year and stage, and by form of exploitation when byExploitation is set.
func ProceedingsTable(ctx context.Context, data CaseData, scope CaseScope, byExploitation bool) (*Table, error) {
	axes := []Axis{{Name: "year", Key: "year", Title: "Year"}, {Name: "stage", Key: "stage", Title: "Stage"}}
	order := []func(a, b string) int{yearDim.Compare, cmp.Compare[string]}
	if byExploitation {
		axes = append(axes, Axis{Name: "exploitation", Key: "exploitation", Title: "Form of exploitation"})
		order = append(order, cmp.Compare[string])
	}
	c := newCounter(axes, order...)
	err := data.Proceedings(ctx, scope, func(p *Proceeding) error {
		if byExploitation {
			c.add(yearCode(p.Year), p.Stage, p.Exploitation)
		} else {
			c.add(yearCode(p.Year), p.Stage)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fixed := [][]string{nil, Stages}
	if byExploitation {
		fixed = append(fixed, []string{ExploitSexual, ExploitLabour, ExploitSexualAndLabor, ExploitOther})
	}
	return c.table(fixed), nil
}

// ReferralsTable counts referrals by year, service and whether the service was delivered.
func ReferralsTable(ctx context.Context, data CaseData, scope CaseScope) (*Table, error) {
	c := newCounter([]Axis{{Name: "year", Key: "year", Title: "Year"}, {Name: "service", Key: "service", Title: "Service"},
		{Name: "delivered", Key: "delivered", Title: "Delivered"}}, yearDim.Compare, cmp.Compare[string], cmp.Compare[string])
	err := data.Referrals(ctx, scope, func(r *Referral) error {
		d := "No"
		if r.Delivered {
			d = "Yes"
		}
		c.add(yearCode(r.Year), r.Service, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.table([][]string{nil, nil, {"Yes", "No"}}), nil
}

// DelayBands are the bands of time from identification to first referral.
var DelayBands = []string{"0-1 days", "2-7 days", "8-30 days", "31-90 days", "91+ days"}

// DelayBand is the band of a number of days from identification to first referral.
func DelayBand(days int) string {
	switch {
	case days < 0:
		return Unknown
	case days <= 1:
		return DelayBands[0]
	case days <= 7:
		return DelayBands[1]
	case days <= 30:
		return DelayBands[2]
	case days <= 90:
		return DelayBands[3]
	}
	return DelayBands[4]
}

// TimeToReferralTable counts victims by year of their first referral and the time it took
// from identification, in DelayBands.
func TimeToReferralTable(ctx context.Context, data CaseData, scope CaseScope) (*Table, error) {
	c := newCounter([]Axis{{Name: "year", Key: "year", Title: "Year"}, {Name: "delay", Key: "delay", Title: "Time to first referral"}},
		yearDim.Compare, cmp.Compare[string])
	err := data.Referrals(ctx, scope, func(r *Referral) error {
		if r.First {
			c.add(yearCode(r.Year), DelayBand(r.DaysFromIdentification))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.table([][]string{nil, DelayBands}), nil
}
