package web

import (
	"net/http"
	"strconv"
	"time"

	"nanduti/internal/cases"
	"nanduti/internal/core"
)

func (s *Server) routesCasesAPI() {
	s.handle("GET /api/v1/cases", APIToken, s.apiCases)
	s.handle("POST /api/v1/cases", APIToken, s.apiCreateCase)
	s.handle("GET /api/v1/cases/{id}", APIToken, s.apiCase)
	s.handle("GET /api/v1/cases/{id}/persons", APIToken, s.apiCasePersons)
	s.handle("POST /api/v1/cases/{id}/shares", APIToken, s.apiShareCase)
	s.handle("DELETE /api/v1/cases/{id}/shares/{agency}", APIToken, s.apiRevokeShare)
}

// apiCaseBody is a case in the API, with HTCDS vocabulary for exploitation.
type apiCaseBody struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	AgencyID     int64     `json:"agency_id"`
	Title        string    `json:"title"`
	Status       string    `json:"status"`
	Exploitation []string  `json:"exploitation"`
	Sector       string    `json:"sector"`
	Department   string    `json:"department"`
	District     string    `json:"district"`
	ReportedOn   string    `json:"reported_on"`
	OpenedOn     string    `json:"opened_on"`
	ClosedOn     string    `json:"closed_on"`
	Source       string    `json:"source"`
	Sensitive    bool      `json:"sensitive"`
	Officers     []int64   `json:"officers"`
	Version      int       `json:"version"`
	Level        string    `json:"level"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toAPICase(c cases.Case) apiCaseBody {
	ex, off := c.Exploitation, c.Officers
	if ex == nil {
		ex = []string{}
	}
	if off == nil {
		off = []int64{}
	}
	return apiCaseBody{ID: c.ID, Number: c.Number, AgencyID: c.AgencyID, Title: c.Title, Status: string(c.Status), Exploitation: ex,
		Sector: c.Sector, Department: c.Department, District: c.District, ReportedOn: c.ReportedOn, OpenedOn: c.OpenedOn,
		ClosedOn: c.ClosedOn, Source: c.Source, Sensitive: c.Sensitive, Officers: off, Version: c.Version, Level: string(c.Level),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := filterFrom(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if raw := q.Get("limit"); raw != "" {
		if f.Limit, err = strconv.Atoi(raw); err != nil {
			s.fail(w, r, &core.Error{Code: core.Invalid, Key: "error.invalid_form", Fields: []core.FieldError{{Field: "limit", Key: "case.error.number"}}})
			return
		}
	}
	l, err := s.cfg.Cases.List(r.Context(), actorOf(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiCaseBody, 0, len(l.Cases))
	for _, c := range l.Cases {
		out = append(out, toAPICase(c))
	}
	counts := map[string]int{}
	for st, n := range l.Statistical {
		counts[string(st)] = n
	}
	body := map[string]any{"cases": out, "statistical_counts": counts, "counts_only": l.CountsOnly}
	if l.Next != 0 {
		body["next_before"] = l.Next
	}
	writeJSON(w, http.StatusOK, body)
}

type apiCaseInput struct {
	Title        string   `json:"title"`
	Exploitation []string `json:"exploitation"`
	Sector       string   `json:"sector"`
	Department   string   `json:"department"`
	District     string   `json:"district"`
	ReportedOn   string   `json:"reported_on"`
	OpenedOn     string   `json:"opened_on"`
	Source       string   `json:"source"`
	Sensitive    bool     `json:"sensitive"`
	Officers     []int64  `json:"officers"`
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) {
	var in apiCaseInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.cfg.Cases.Create(r.Context(), actorOf(r), cases.Input(in))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPICase(c))
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, _, err := s.cfg.Cases.Get(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPICase(c))
}

type apiCasePerson struct {
	ID               int64    `json:"id"`
	PersonID         int64    `json:"person_id"`
	Pseudonym        string   `json:"pseudonym"`
	Role             string   `json:"role"`
	PerpetratorRoles []string `json:"per_RoleInProcess"`
	VictimStatus     string   `json:"victim_status,omitempty"`
	StatusDecidedBy  string   `json:"status_decided_by,omitempty"`
	Name             string   `json:"name,omitempty"`
}

func (s *Server) apiCasePersons(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, ps, err := s.cfg.Cases.Persons(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiCasePerson, 0, len(ps))
	for _, p := range ps {
		roles := p.PerpetratorRoles
		if roles == nil {
			roles = []string{}
		}
		ap := apiCasePerson{ID: p.ID, PersonID: p.PersonID, Pseudonym: p.Pseudonym, Role: p.Role, PerpetratorRoles: roles,
			VictimStatus: p.VictimStatus, StatusDecidedBy: p.StatusDecidedBy}
		if p.Identity != nil {
			ap.Name = p.Identity.Name
		}
		out = append(out, ap)
	}
	writeJSON(w, http.StatusOK, map[string]any{"case_id": c.ID, "level": string(c.Level), "persons": out})
}

func (s *Server) apiShareCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		AgencyID int64  `json:"agency_id"`
		Level    string `json:"level"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.Cases.Share(r.Context(), actorOf(r), id, in.AgencyID, core.ShareLevel(in.Level)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"case_id": id, "agency_id": in.AgencyID, "level": in.Level})
}

func (s *Server) apiRevokeShare(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agency, err := pathID(r, "agency")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.Cases.Revoke(r.Context(), actorOf(r), id, agency); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
