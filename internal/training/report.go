package training

import (
	"context"
	"slices"
	"sort"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/core"
)

// The effect-in-the-field report sets, per department and per agency, the officers trained
// beside the victims identified and cases opened there before and after the first training.
// It shows association, not proof of cause: identification can rise for many reasons (a new
// law, a campaign, more inspectors), and the report says so on every page.

// FieldQuery selects identifications and cases in the field: one department (AgencyID 0) or
// one agency (Department ""), in the period [From, To).
type FieldQuery struct {
	Department string
	AgencyID   int64
	From, To   time.Time
}

// FieldFigures are what the case module counts for a query.
type FieldFigures struct {
	VictimsIdentified int
	CasesOpened       int
}

// FieldCounts is implemented by the case module: it counts, for the actor, the victims
// identified and cases opened in a department or by an agency in a period. ok is false when
// there is no case data to count from, and the report then says so instead of showing zeros.
type FieldCounts interface {
	CountsInField(ctx context.Context, actor core.Actor, q FieldQuery) (f FieldFigures, ok bool, err error)
}

// NoCaseData is the FieldCounts used until case data exists: it never invents a number.
type NoCaseData struct{}

// CountsInField reports that there is no case data.
func (NoCaseData) CountsInField(context.Context, core.Actor, FieldQuery) (FieldFigures, bool, error) {
	return FieldFigures{}, false, nil
}

// MinScoresForMean is the fewest paired pre/post scores for which the report shows means:
// with fewer, a mean would be one or two people's results.
const MinScoresForMean = 3

// MaxWindow bounds the before and after periods compared around a first training.
const MaxWindow = 365 * 24 * time.Hour

// Knowledge is the pre- to post-test change over participants with both scores.
type Knowledge struct {
	Paired   int
	PreMean  float64 // meaningful only when Shown
	PostMean float64
	Gain     float64
	Shown    bool // Paired >= MinScoresForMean
}

// FieldComparison is the case module's figures in the periods before and after.
type FieldComparison struct {
	Before, After FieldFigures
}

// EffectRow is one department or agency of the report.
type EffectRow struct {
	Key             string // department code or agency id
	Label           string
	OfficersTrained int // distinct participants serving there who attended a session
	Completed       int
	FirstTraining   time.Time // last day of the first session any of them attended
	Before, After   Period    // equal windows around FirstTraining
	Knowledge       Knowledge
	Field           *FieldComparison // nil when there is no case data
}

// Period is a half-open interval of time [From, To).
type Period struct{ From, To time.Time }

// Report is the effect-in-the-field report.
type Report struct {
	GeneratedAt  time.Time
	CaseData     bool // whether the case module supplied figures
	ByDepartment []EffectRow
	ByAgency     []EffectRow
	Overall      Knowledge
	Cascade      *Cascade
}

type knowledgeSum struct {
	n         int
	pre, post int
}

func (k *knowledgeSum) add(pre, post *int) {
	if pre != nil && post != nil {
		k.n++
		k.pre += *pre
		k.post += *post
	}
}

func (k knowledgeSum) result() Knowledge {
	out := Knowledge{Paired: k.n, Shown: k.n >= MinScoresForMean}
	if out.Shown {
		out.PreMean = float64(k.pre) / float64(k.n)
		out.PostMean = float64(k.post) / float64(k.n)
		out.Gain = out.PostMean - out.PreMean
	}
	return out
}

type effectAcc struct {
	people    map[int64]bool
	completed map[int64]bool
	first     time.Time
	know      knowledgeSum
}

// Report builds the effect-in-the-field report for the actor.
func (s *Service) Report(ctx context.Context, actor core.Actor) (*Report, error) {
	if !access.CanSeeTrainingReach(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	now := s.Now()
	rep := &Report{GeneratedAt: now}
	var labels map[int64]string
	err := s.store.Read(ctx, func(tx Tx) error {
		facts, err := s.facts(ctx, tx)
		if err != nil {
			return err
		}
		if labels, err = tx.AgencyLabels(ctx); err != nil {
			return err
		}
		rep.Cascade, _ = buildCascade(facts)
		byDept := map[string]*effectAcc{}
		byAgency := map[int64]*effectAcc{}
		var overall knowledgeSum
		acc := func(a *effectAcc, f SessionFacts, tr TraineeFacts) {
			a.people[tr.ParticipantID] = true
			if tr.Completed {
				a.completed[tr.ParticipantID] = true
			}
			if a.first.IsZero() || f.Session.EndsOn.Before(a.first) {
				a.first = f.Session.EndsOn
			}
			a.know.add(tr.PreScore, tr.PostScore)
		}
		newAcc := func() *effectAcc { return &effectAcc{people: map[int64]bool{}, completed: map[int64]bool{}} }
		for _, f := range facts {
			for _, tr := range f.Trainees {
				if slices.Contains(f.Session.TrainerIDs, tr.ParticipantID) {
					continue
				}
				overall.add(tr.PreScore, tr.PostScore)
				if byDept[tr.Department] == nil {
					byDept[tr.Department] = newAcc()
				}
				acc(byDept[tr.Department], f, tr)
				if byAgency[tr.AgencyID] == nil {
					byAgency[tr.AgencyID] = newAcc()
				}
				acc(byAgency[tr.AgencyID], f, tr)
			}
		}
		rep.Overall = overall.result()
		row := func(key, label string, a *effectAcc) EffectRow {
			r := EffectRow{Key: key, Label: label, OfficersTrained: len(a.people), Completed: len(a.completed),
				FirstTraining: a.first, Knowledge: a.know.result()}
			// The day after the first training's last day starts the "after" period.
			pivot := a.first.Add(24 * time.Hour)
			w := min(MaxWindow, now.Sub(pivot))
			w = max(w, 0)
			r.Before = Period{From: pivot.Add(-w), To: pivot}
			r.After = Period{From: pivot, To: pivot.Add(w)}
			return r
		}
		for code, a := range byDept {
			rep.ByDepartment = append(rep.ByDepartment, row(code, DepartmentName(code), a))
		}
		for agency, a := range byAgency {
			rep.ByAgency = append(rep.ByAgency, row(id(agency), labels[agency], a))
		}
		sort.Slice(rep.ByDepartment, func(i, j int) bool { return rep.ByDepartment[i].Key < rep.ByDepartment[j].Key })
		sort.Slice(rep.ByAgency, func(i, j int) bool { return rep.ByAgency[i].Label < rep.ByAgency[j].Label })
		s.labelCascade(rep.Cascade, labels)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The case module answers with its own access rules, outside this store's transaction.
	rep.CaseData = true
	fill := func(rows []EffectRow, dept bool) error {
		for i := range rows {
			r := &rows[i]
			q := FieldQuery{}
			if dept {
				q.Department = r.Key
			} else {
				q.AgencyID = parseID(r.Key)
			}
			q.From, q.To = r.Before.From, r.Before.To
			before, ok, err := s.cfg.Field.CountsInField(ctx, actor, q)
			if err != nil {
				return err
			}
			q.From, q.To = r.After.From, r.After.To
			after, ok2, err := s.cfg.Field.CountsInField(ctx, actor, q)
			if err != nil {
				return err
			}
			if !ok || !ok2 {
				rep.CaseData = false
				continue
			}
			r.Field = &FieldComparison{Before: before, After: after}
		}
		return nil
	}
	if err := fill(rep.ByDepartment, true); err != nil {
		return nil, err
	}
	if err := fill(rep.ByAgency, false); err != nil {
		return nil, err
	}
	if !rep.CaseData {
		for i := range rep.ByDepartment {
			rep.ByDepartment[i].Field = nil
		}
		for i := range rep.ByAgency {
			rep.ByAgency[i].Field = nil
		}
	}
	return rep, nil
}

// labelCascade names the rows of the reach tables.
func (s *Service) labelCascade(c *Cascade, agencies map[int64]string) {
	for i := range c.ByAgency {
		c.ByAgency[i].Label = agencies[parseID(c.ByAgency[i].Key)]
	}
	for i := range c.ByDepartment {
		c.ByDepartment[i].Label = DepartmentName(c.ByDepartment[i].Key)
	}
}

func parseID(s string) int64 {
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int64(r-'0')
	}
	return n
}
