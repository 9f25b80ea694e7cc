package training

import (
	"context"
	"slices"
	"sort"
	"strconv"

	"nanduti/internal/access"
	"nanduti/internal/core"
)

// The cascade is the tree that grows from the trainers who were not themselves trained in
// Ñandutí (generation 0) through the sessions they ran to their trainees (generation 1), the
// sessions those trainees ran, their trainees (generation 2), and so on.
//
// Sessions are taken in the order they started. A session's trainees belong to the generation
// after its trainers' (the lowest, when several teach); a person trained several times keeps
// the lowest generation reached. Someone who taught before any recorded training of their own
// is a root, generation 0. Each person and each session appears once in the tree: a session
// under its first trainer of the lowest generation, a trainee under the first session that
// gave them their generation.

// CascadeSession is one session in the tree.
type CascadeSession struct {
	Session    Session
	Course     Course
	Generation int // the trainees' generation
	Trainees   int
	Completed  int
	// Trainers are the trainees of this session who went on to run sessions of their own.
	Trainers []*CascadeNode
}

// CascadeNode is a person who ran sessions.
type CascadeNode struct {
	ParticipantID int64
	Generation    int
	AgencyID      int64
	// Name is empty when the actor may not see this participant; pages then describe the
	// node by its generation and agency only.
	Name     string
	Sessions []*CascadeSession
}

// ReachRow is one line of a reach table: distinct people trained and how many of them
// completed at least one course.
type ReachRow struct {
	Key       string // generation number, agency id, department code or course id
	Label     string
	People    int
	Completed int
}

// Cascade is the tree and its reach.
type Cascade struct {
	Roots        []*CascadeNode
	Generations  int // number of generations, roots included
	ByGeneration []ReachRow
	ByAgency     []ReachRow
	ByDepartment []ReachRow
	ByCourse     []ReachRow
	People       int // distinct people trained (generation 1 and later)
	Completed    int
}

type cascadeBuild struct {
	gen       map[int64]int
	completed map[int64]bool
	agency    map[int64]int64
	sessGen   map[int64]int
	parentOf  map[int64]int64 // session -> trainer participant placed as its parent
	placedIn  map[int64]int64 // participant -> session that placed them
}

// buildCascade computes generations, the tree and the reach from the sessions' facts; labels
// are filled by the caller.
func buildCascade(facts []SessionFacts) (*Cascade, *cascadeBuild) {
	sortSessions(facts)
	b := &cascadeBuild{gen: map[int64]int{}, completed: map[int64]bool{}, agency: map[int64]int64{},
		sessGen: map[int64]int{}, parentOf: map[int64]int64{}, placedIn: map[int64]int64{}}
	for _, f := range facts {
		ss := f.Session
		best, parent := -1, int64(0)
		for _, t := range ss.TrainerIDs {
			g, ok := b.gen[t]
			if !ok {
				b.gen[t] = 0
				g = 0
			}
			if best < 0 || g < best {
				best, parent = g, t
			}
		}
		if best < 0 {
			best = 0 // a session without trainers hangs from no one; its trainees are generation 1
		}
		sg := best + 1
		b.sessGen[ss.ID] = sg
		b.parentOf[ss.ID] = parent
		for _, tr := range f.Trainees {
			b.agency[tr.ParticipantID] = tr.AgencyID
			if tr.Completed {
				b.completed[tr.ParticipantID] = true
			}
			if slices.Contains(ss.TrainerIDs, tr.ParticipantID) {
				continue
			}
			if g, ok := b.gen[tr.ParticipantID]; !ok || sg < g {
				b.gen[tr.ParticipantID] = sg
				b.placedIn[tr.ParticipantID] = ss.ID
			}
		}
	}

	c := &Cascade{}
	nodes := map[int64]*CascadeNode{}
	node := func(pid int64) *CascadeNode {
		n, ok := nodes[pid]
		if !ok {
			n = &CascadeNode{ParticipantID: pid, Generation: b.gen[pid], AgencyID: b.agency[pid]}
			nodes[pid] = n
		}
		return n
	}
	sessions := map[int64]*CascadeSession{}
	for _, f := range facts {
		cs := &CascadeSession{Session: f.Session, Course: f.Course, Generation: b.sessGen[f.Session.ID]}
		for _, tr := range f.Trainees {
			if slices.Contains(f.Session.TrainerIDs, tr.ParticipantID) {
				continue
			}
			cs.Trainees++
			if tr.Completed {
				cs.Completed++
			}
		}
		sessions[f.Session.ID] = cs
		if p := b.parentOf[f.Session.ID]; p != 0 {
			node(p).Sessions = append(node(p).Sessions, cs)
		}
	}
	for pid, n := range nodes {
		if n.Generation == 0 {
			c.Roots = append(c.Roots, n)
			continue
		}
		if s := sessions[b.placedIn[pid]]; s != nil {
			s.Trainers = append(s.Trainers, n)
		}
	}
	sort.Slice(c.Roots, func(i, j int) bool { return c.Roots[i].ParticipantID < c.Roots[j].ParticipantID })
	for _, s := range sessions {
		sort.Slice(s.Trainers, func(i, j int) bool { return s.Trainers[i].ParticipantID < s.Trainers[j].ParticipantID })
	}

	// Reach.
	byGen := map[int]*ReachRow{}
	maxGen := 0
	for pid, g := range b.gen {
		if g > maxGen {
			maxGen = g
		}
		r := byGen[g]
		if r == nil {
			r = &ReachRow{}
			byGen[g] = r
		}
		r.People++
		if b.completed[pid] {
			r.Completed++
		}
		if g > 0 {
			c.People++
			if b.completed[pid] {
				c.Completed++
			}
		}
	}
	if len(b.gen) > 0 {
		c.Generations = maxGen + 1
	}
	for g := 0; g <= maxGen && len(b.gen) > 0; g++ {
		r := byGen[g]
		if r == nil {
			r = &ReachRow{}
		}
		r.Key = strconv.Itoa(g)
		c.ByGeneration = append(c.ByGeneration, *r)
	}
	type pair struct {
		key string
		pid int64
	}
	tally := func(keyOf func(f SessionFacts, tr TraineeFacts) string) []ReachRow {
		seen := map[pair]bool{}
		rows := map[string]*ReachRow{}
		done := map[pair]bool{}
		for _, f := range facts {
			for _, tr := range f.Trainees {
				if slices.Contains(f.Session.TrainerIDs, tr.ParticipantID) {
					continue
				}
				k := keyOf(f, tr)
				r := rows[k]
				if r == nil {
					r = &ReachRow{Key: k}
					rows[k] = r
				}
				p := pair{k, tr.ParticipantID}
				if !seen[p] {
					seen[p] = true
					r.People++
				}
				if tr.Completed && !done[p] {
					done[p] = true
					r.Completed++
				}
			}
		}
		out := make([]ReachRow, 0, len(rows))
		for _, r := range rows {
			out = append(out, *r)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	c.ByAgency = tally(func(_ SessionFacts, tr TraineeFacts) string { return strconv.FormatInt(tr.AgencyID, 10) })
	c.ByDepartment = tally(func(f SessionFacts, _ TraineeFacts) string { return f.Session.Department })
	c.ByCourse = tally(func(f SessionFacts, _ TraineeFacts) string { return strconv.FormatInt(f.Course.ID, 10) })
	titles := map[string]string{}
	for _, f := range facts {
		titles[strconv.FormatInt(f.Course.ID, 10)] = f.Course.Title
	}
	for i := range c.ByCourse {
		c.ByCourse[i].Label = titles[c.ByCourse[i].Key]
	}
	for i := range c.ByDepartment {
		c.ByDepartment[i].Label = DepartmentName(c.ByDepartment[i].Key)
	}
	return c, b
}

// facts loads every session's facts and marks who completed.
func (s *Service) facts(ctx context.Context, tx Tx) ([]SessionFacts, error) {
	facts, err := tx.AllSessionFacts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range facts {
		for j := range facts[i].Trainees {
			tr := &facts[i].Trainees[j]
			tr.Completed = Evaluate(facts[i].Course, Enrolment{PostScore: tr.PostScore, PreScore: tr.PreScore, Attendance: tr.Attendance}).Completed
		}
	}
	return facts, nil
}

// Cascade returns the task force's cascade with its reach. Names appear only for the
// participants the actor may see; everyone else in the tree is described by generation and
// agency. Analysts therefore see the shape and the counts, never who.
func (s *Service) Cascade(ctx context.Context, actor core.Actor) (*Cascade, error) {
	if !access.CanSeeTrainingReach(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var c *Cascade
	err := s.store.Read(ctx, func(tx Tx) error {
		facts, err := s.facts(ctx, tx)
		if err != nil {
			return err
		}
		c, _ = buildCascade(facts)
		labels, err := tx.AgencyLabels(ctx)
		if err != nil {
			return err
		}
		s.labelCascade(c, labels)
		// Scopes for name visibility, from the same facts.
		hosts := map[int64][]int64{}
		trainers := map[int64][]int64{}
		for _, f := range facts {
			for _, tr := range f.Trainees {
				hosts[tr.ParticipantID] = append(hosts[tr.ParticipantID], f.Session.HostAgencyID)
				trainers[tr.ParticipantID] = append(trainers[tr.ParticipantID], f.Session.TrainerUserIDs...)
			}
		}
		var walk func(n *CascadeNode) error
		walk = func(n *CascadeNode) error {
			p, err := tx.ParticipantByID(ctx, n.ParticipantID)
			if err != nil {
				return err
			}
			n.AgencyID = p.AgencyID
			if access.CanSeeParticipant(actor, access.ParticipantScope{AgencyID: p.AgencyID, RegisteredByAgencyID: p.RegisteredByAgencyID,
				HostAgencyIDs: hosts[p.ID], TrainerUserIDs: trainers[p.ID]}) || (p.UserID != 0 && p.UserID == actor.UserID) {
				n.Name = p.Name
			}
			for _, cs := range n.Sessions {
				for _, child := range cs.Trainers {
					if err := walk(child); err != nil {
						return err
					}
				}
			}
			return nil
		}
		for _, r := range c.Roots {
			if err := walk(r); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}
