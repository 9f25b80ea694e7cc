package web

import (
	"net/http"
	"strconv"

	"nanduti/internal/access"
	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/core"
)

func (s *Server) agenciesData(r *http.Request) (map[string]any, error) {
	actor := actorOf(r)
	if !access.CanManageAgencies(actor) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	agencies, err := s.cfg.Accounts.ListAgencies(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	tfs, err := s.cfg.Accounts.ListTaskForces(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Agencies": agencies, "TaskForces": tfs, "Kinds": core.AgencyKinds}, nil
}

func (s *Server) agencies(w http.ResponseWriter, r *http.Request) {
	data, err := s.agenciesData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agencies", data)
}

func (s *Server) createAgency(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	tf, _ := strconv.ParseInt(r.PostFormValue("task_force"), 10, 64)
	_, err := s.cfg.Accounts.CreateAgency(r.Context(), actorOf(r), accounts.NewAgency{TaskForceID: tf,
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: core.AgencyKind(r.PostFormValue("kind"))})
	if err != nil {
		data, derr := s.agenciesData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "agencies", data, err)
		return
	}
	http.Redirect(w, r, "/admin/agencies", http.StatusSeeOther)
}

// agencyNames maps agency ids to codes for tables.
func (s *Server) agencyNames(r *http.Request) (map[int64]core.Agency, error) {
	list, err := s.cfg.Accounts.ListAgencies(r.Context(), actorOf(r))
	if err != nil {
		return nil, err
	}
	m := make(map[int64]core.Agency, len(list))
	for _, a := range list {
		m[a.ID] = a
	}
	return m, nil
}

func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	users, err := s.cfg.Accounts.ListUsers(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agencies, err := s.agencyNames(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "users", map[string]any{"Users": users, "Agencies": agencies})
}

// newUserData lists the agencies the actor may create users in and the roles they may grant.
func (s *Server) newUserData(r *http.Request) (map[string]any, error) {
	actor := actorOf(r)
	if ok, _, _ := access.CanListUsers(actor); !ok {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	all, err := s.cfg.Accounts.ListAgencies(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	var agencies []core.Agency
	for _, a := range all {
		if access.CanManageUser(actor, 0, a.ID) {
			agencies = append(agencies, a)
		}
	}
	var roles []core.Role
	for _, role := range core.AllRoles {
		if access.CanGrantRoles(actor, []core.Role{role}) {
			roles = append(roles, role)
		}
	}
	return map[string]any{"Agencies": agencies, "Roles": roles, "MinPassword": accounts.MinPasswordLength}, nil
}

func (s *Server) newUserForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.newUserData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user_new", data)
}

func formRoles(r *http.Request) []core.Role {
	var roles []core.Role
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, core.Role(v))
	}
	return roles
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	agencyID, _ := strconv.ParseInt(r.PostFormValue("agency"), 10, 64)
	u, err := s.cfg.Accounts.CreateUser(r.Context(), actorOf(r), accounts.NewUser{AgencyID: agencyID,
		Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Roles: formRoles(r), Password: r.PostFormValue("password")})
	if err != nil {
		data, derr := s.newUserData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "user_new", data, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
}

func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	u, err := s.cfg.Accounts.User(r.Context(), actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agency, err := s.cfg.Accounts.Agency(r.Context(), actor, u.AgencyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var roles []core.Role
	for _, role := range core.AllRoles {
		if access.CanGrantRoles(actor, []core.Role{role}) {
			roles = append(roles, role)
		}
	}
	s.render(w, r, http.StatusOK, "user", map[string]any{"U": u, "Agency": agency, "Roles": roles,
		"CanManage": access.CanManageUser(actor, u.ID, u.AgencyID) && access.CanGrantRoles(actor, u.Roles)})
}

func (s *Server) userAction(w http.ResponseWriter, r *http.Request, fn func(id int64) error) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err == nil {
		err = fn(id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(id int64) error { return s.cfg.Accounts.SetDisabled(r.Context(), actorOf(r), id, true) })
}

func (s *Server) enableUser(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(id int64) error { return s.cfg.Accounts.SetDisabled(r.Context(), actorOf(r), id, false) })
}

func (s *Server) setUserRoles(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(id int64) error { return s.cfg.Accounts.SetRoles(r.Context(), actorOf(r), id, formRoles(r)) })
}

func (s *Server) resetUserSecondFactor(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(id int64) error { return s.cfg.Accounts.ResetSecondFactor(r.Context(), actorOf(r), id) })
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	action := q.Get("action")
	const pageSize = 50
	rows, err := s.cfg.Audit.List(r.Context(), actorOf(r), audit.Filter{BeforeSeq: before, Action: action, Limit: pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var next int64
	if len(rows) == pageSize {
		next = rows[len(rows)-1].Seq
	}
	s.render(w, r, http.StatusOK, "audit", map[string]any{"Rows": rows, "Next": next, "Action": action})
}
