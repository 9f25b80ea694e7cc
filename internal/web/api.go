package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

func (s *Server) routesAPI() {
	s.handle("GET /api/v1/openapi.json", Public, s.serveOpenAPI)
	s.handle("GET /api/v1/me", APIToken, s.apiMe)
	s.handle("GET /api/v1/agencies", APIToken, s.apiAgencies)
	s.handle("POST /api/v1/agencies", APIToken, s.apiCreateAgency)
	s.handle("GET /api/v1/users", APIToken, s.apiUsers)
	s.handle("POST /api/v1/users", APIToken, s.apiCreateUser)
	s.handle("GET /api/v1/users/{id}", APIToken, s.apiUser)
	s.handle("POST /api/v1/users/{id}/disable", APIToken, s.apiDisableUser)
	s.handle("POST /api/v1/users/{id}/enable", APIToken, s.apiEnableUser)
	s.handle("GET /api/v1/tokens", APIToken, s.apiTokens)
	s.handle("DELETE /api/v1/tokens/{id}", APIToken, s.apiRevokeToken)
	s.handle("GET /api/v1/audit", APIToken, s.apiAudit)
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.openAPI)
}

// decodeJSON reads a JSON body of at most 1 MiB into v, refusing unknown fields so that a
// misspelt field is reported instead of silently ignored.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
				Fields: []core.FieldError{{Field: typ.Field, Key: "api.field_type"}}, Err: err}
		case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return core.Wrap(core.Invalid, "api.bad_json", err)
		default:
			return core.Wrap(core.Invalid, "api.bad_json_detail", err)
		}
	}
	if dec.More() {
		return core.Errorf(core.Invalid, "api.bad_json")
	}
	return nil
}

type apiAgency struct {
	ID          int64     `json:"id"`
	TaskForceID int64     `json:"task_force_id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	CreatedAt   time.Time `json:"created_at"`
}

func toAPIAgency(a core.Agency) apiAgency {
	return apiAgency{ID: a.ID, TaskForceID: a.TaskForceID, Code: a.Code, Name: a.Name, Kind: string(a.Kind), CreatedAt: a.CreatedAt}
}

type apiUser struct {
	ID           int64       `json:"id"`
	AgencyID     int64       `json:"agency_id"`
	Email        string      `json:"email"`
	Name         string      `json:"name"`
	Roles        []core.Role `json:"roles"`
	Disabled     bool        `json:"disabled"`
	TOTPEnrolled bool        `json:"totp_enrolled"`
	CreatedAt    time.Time   `json:"created_at"`
}

func toAPIUser(u core.User) apiUser {
	roles := u.Roles
	if roles == nil {
		roles = []core.Role{}
	}
	return apiUser{ID: u.ID, AgencyID: u.AgencyID, Email: u.Email, Name: u.Name, Roles: roles, Disabled: u.Disabled,
		TOTPEnrolled: u.TOTPEnrolled, CreatedAt: u.CreatedAt}
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	u, err := s.cfg.Accounts.User(r.Context(), actor, actor.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
}

func (s *Server) apiAgencies(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Accounts.ListAgencies(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiAgency, 0, len(list))
	for _, a := range list {
		out = append(out, toAPIAgency(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"agencies": out})
}

func (s *Server) apiCreateAgency(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TaskForceID int64  `json:"task_force_id"`
		Code        string `json:"code"`
		Name        string `json:"name"`
		Kind        string `json:"kind"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.cfg.Accounts.CreateAgency(r.Context(), actorOf(r), accounts.NewAgency{TaskForceID: in.TaskForceID,
		Code: in.Code, Name: in.Name, Kind: core.AgencyKind(in.Kind)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPIAgency(a))
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Accounts.ListUsers(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiUser, 0, len(list))
	for _, u := range list {
		out = append(out, toAPIUser(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AgencyID int64       `json:"agency_id"`
		Email    string      `json:"email"`
		Name     string      `json:"name"`
		Roles    []core.Role `json:"roles"`
		Password string      `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.cfg.Accounts.CreateUser(r.Context(), actorOf(r), accounts.NewUser{AgencyID: in.AgencyID, Email: in.Email,
		Name: in.Name, Roles: in.Roles, Password: in.Password})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPIUser(u))
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.cfg.Accounts.User(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
}

func (s *Server) apiSetDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Accounts.SetDisabled(r.Context(), actorOf(r), id, disabled)
	}
	var u core.User
	if err == nil {
		u, err = s.cfg.Accounts.User(r.Context(), actorOf(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
}

func (s *Server) apiDisableUser(w http.ResponseWriter, r *http.Request) { s.apiSetDisabled(w, r, true) }
func (s *Server) apiEnableUser(w http.ResponseWriter, r *http.Request)  { s.apiSetDisabled(w, r, false) }

type apiToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Accounts.ListTokens(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiToken, 0, len(list))
	for _, t := range list {
		out = append(out, apiToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: optTime(t.LastUsedAt), RevokedAt: optTime(t.RevokedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Accounts.RevokeToken(r.Context(), actorOf(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type apiAuditRow struct {
	Seq            int64     `json:"seq"`
	At             time.Time `json:"at"`
	ActorUserID    int64     `json:"actor_user_id"`
	ActorAgencyID  int64     `json:"actor_agency_id"`
	Action         string    `json:"action"`
	ObjectType     string    `json:"object_type"`
	ObjectID       string    `json:"object_id"`
	ObjectAgencyID int64     `json:"object_agency_id"`
	Fields         []string  `json:"fields"`
	PrevHash       string    `json:"prev_hash"`
	Hash           string    `json:"hash"`
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f audit.Filter
	var v core.Validation
	for name, dst := range map[string]*int64{"before": &f.BeforeSeq} {
		if raw := q.Get(name); raw != "" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n < 0 {
				v.Add(name, "api.not_a_number")
			}
			*dst = n
		}
	}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "api.limit_range")
		}
		f.Limit = n
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	f.Action = q.Get("action")
	rows, err := s.cfg.Audit.List(r.Context(), actorOf(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiAuditRow, 0, len(rows))
	for _, a := range rows {
		fields := a.Fields
		if fields == nil {
			fields = []string{}
		}
		out = append(out, apiAuditRow{Seq: a.Seq, At: a.At, ActorUserID: a.ActorUserID, ActorAgencyID: a.ActorAgencyID,
			Action: a.Action, ObjectType: a.ObjectType, ObjectID: a.ObjectID, ObjectAgencyID: a.ObjectAgencyID,
			Fields: fields, PrevHash: a.PrevHash, Hash: a.Hash})
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": out})
}
