package web

import (
	"net/http"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/dedupe"
)

type apiDedupeIdentity struct {
	GivenNames      string   `json:"given_names"`
	PaternalSurname string   `json:"paternal_surname"`
	MaternalSurname string   `json:"maternal_surname"`
	BirthDate       string   `json:"birth_date"`
	Document        string   `json:"document"`
	Phones          []string `json:"phones"`
}

type apiDedupeSide struct {
	PersonID    int64              `json:"person_id"`
	Pseudonym   string             `json:"pseudonym"`
	Agency      string             `json:"agency"`
	Kind        string             `json:"kind"`
	Gender      string             `json:"gender"`
	Citizenship []string           `json:"citizenship"`
	RecordedAt  time.Time          `json:"recorded_at"`
	Identity    *apiDedupeIdentity `json:"identity,omitempty"`
}

type apiDedupeLevel struct {
	Field string `json:"field"`
	// Level is -1 when a value is missing on either side.
	Level int `json:"level"`
}

type apiDedupeMerge struct {
	ID                int64      `json:"id"`
	CanonicalPersonID int64      `json:"canonical_person_id"`
	ConfirmedAt       time.Time  `json:"confirmed_at"`
	ConfirmedBy       string     `json:"confirmed_by_agency"`
	Active            bool       `json:"active"`
	UndoneAt          *time.Time `json:"undone_at,omitempty"`
}

// apiDedupeCandidate is a candidate as the caller sees it: with both sides visible, the two
// persons, weight and levels; with one, only the caller's own record and the notice that a
// record in another agency's case may be the same person.
type apiDedupeCandidate struct {
	ID        int64            `json:"id"`
	Status    string           `json:"status"`
	Sight     string           `json:"sight"`
	A         *apiDedupeSide   `json:"a,omitempty"`
	B         *apiDedupeSide   `json:"b,omitempty"`
	Weight    *float64         `json:"weight,omitempty"`
	Levels    []apiDedupeLevel `json:"levels,omitempty"`
	CanDecide bool             `json:"can_decide"`
	Merge     *apiDedupeMerge  `json:"merge,omitempty"`
	Own       *apiDedupeSide   `json:"own,omitempty"`
	Requested bool             `json:"access_requested"`
}

type apiDedupeNotice struct {
	CandidateID int64     `json:"candidate_id"`
	Kind        string    `json:"kind"`
	FromAgency  string    `json:"from_agency"`
	Own         string    `json:"own_pseudonym"`
	CaseNumber  string    `json:"case_number,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func toAPIDedupeSide(sd *dedupe.Side) *apiDedupeSide {
	if sd == nil {
		return nil
	}
	out := &apiDedupeSide{PersonID: sd.PersonID, Pseudonym: sd.Pseudonym, Agency: sd.AgencyName, Kind: string(sd.Kind),
		Gender: sd.Profile.Gender, Citizenship: sd.Profile.Citizenship, RecordedAt: sd.CreatedAt}
	if out.Citizenship == nil {
		out.Citizenship = []string{}
	}
	if id := sd.Identity; id != nil {
		phones := id.Phones
		if phones == nil {
			phones = []string{}
		}
		out.Identity = &apiDedupeIdentity{GivenNames: id.GivenNames, PaternalSurname: id.PaternalSurname,
			MaternalSurname: id.MaternalSurname, BirthDate: id.BirthDate, Document: id.Document.Number, Phones: phones}
	}
	return out
}

func toAPIDedupe(v dedupe.View) apiDedupeCandidate {
	out := apiDedupeCandidate{ID: v.ID, Status: v.Status, Sight: "one_side", CanDecide: v.CanDecide,
		Own: toAPIDedupeSide(v.Own), Requested: v.Requested}
	if v.Sight == access.SightBoth {
		out.Sight = "both"
		out.A, out.B = toAPIDedupeSide(v.A), toAPIDedupeSide(v.B)
		w := v.Weight
		out.Weight = &w
		for i, l := range v.Levels {
			out.Levels = append(out.Levels, apiDedupeLevel{Field: dedupe.FieldNames[i], Level: int(l)})
		}
		if m := v.Merge; m != nil {
			out.Merge = &apiDedupeMerge{ID: m.ID, CanonicalPersonID: m.CanonicalPersonID, ConfirmedAt: m.ConfirmedAt,
				ConfirmedBy: m.ConfirmedAgencyName, Active: m.Active, UndoneAt: optTime(m.UndoneAt)}
		}
	}
	return out
}

func (s *Server) apiDedupeList(w http.ResponseWriter, r *http.Request) {
	list, notices, err := s.cfg.Dedupe.List(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Candidates []apiDedupeCandidate `json:"candidates"`
		Notices    []apiDedupeNotice    `json:"notices"`
	}{Candidates: []apiDedupeCandidate{}, Notices: []apiDedupeNotice{}}
	for _, v := range list {
		out.Candidates = append(out.Candidates, toAPIDedupe(v))
	}
	for _, n := range notices {
		out.Notices = append(out.Notices, apiDedupeNotice{CandidateID: n.CandidateID, Kind: n.Kind, FromAgency: n.FromAgencyName,
			Own: n.Own, CaseNumber: n.CaseNumber, CreatedAt: n.CreatedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiDedupeCandidate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.cfg.Dedupe.Get(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIDedupe(v))
}

// apiDedupeDecision runs a decision and answers with the candidate as it now stands.
func (s *Server) apiDedupeDecision(w http.ResponseWriter, r *http.Request, act func(id int64) (dedupe.View, error)) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := act(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIDedupe(v))
}

func (s *Server) apiDedupeConfirm(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CanonicalPersonID int64 `json:"canonical_person_id"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.apiDedupeDecision(w, r, func(id int64) (dedupe.View, error) {
		return s.cfg.Dedupe.Confirm(r.Context(), actorOf(r), id, in.CanonicalPersonID)
	})
}

func (s *Server) apiDedupeReject(w http.ResponseWriter, r *http.Request) {
	s.apiDedupeDecision(w, r, func(id int64) (dedupe.View, error) { return s.cfg.Dedupe.Reject(r.Context(), actorOf(r), id) })
}

func (s *Server) apiDedupeUndo(w http.ResponseWriter, r *http.Request) {
	s.apiDedupeDecision(w, r, func(id int64) (dedupe.View, error) { return s.cfg.Dedupe.Undo(r.Context(), actorOf(r), id) })
}

func (s *Server) apiDedupeRequestAccess(w http.ResponseWriter, r *http.Request) {
	s.apiDedupeDecision(w, r, func(id int64) (dedupe.View, error) {
		return s.cfg.Dedupe.RequestAccess(r.Context(), actorOf(r), id)
	})
}
