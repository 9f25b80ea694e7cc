package web

import (
	"net/http"

	"nanduti/internal/access"
	"nanduti/internal/core"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	actor := state(r.Context()).actor
	agency, err := s.cfg.Accounts.Agency(r.Context(), actor, actor.AgencyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ok, _, _ := access.CanListUsers(actor)
	auditOK, _, _ := access.AuditScope(actor)
	s.render(w, r, http.StatusOK, "home", map[string]any{
		"Agency":          agency,
		"CanManageUsers":  ok,
		"CanManageAgency": access.CanManageAgencies(actor),
		"CanReadAudit":    auditOK,
		"SeesIdentities":  access.MaySeeIdentities(actor.Roles),
		"NeedsSecond":     access.RequiresSecondFactor(actor.Roles),
	})
}

func (s *Server) accountData(r *http.Request) (map[string]any, error) {
	actor := state(r.Context()).actor
	tokens, err := s.cfg.Accounts.ListTokens(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	agency, err := s.cfg.Accounts.Agency(r.Context(), actor, actor.AgencyID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Tokens": tokens, "Agency": agency}, nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	data, err := s.accountData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "password" {
		data["Notice"] = "account.password_changed"
	}
	s.render(w, r, http.StatusOK, "account", data)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	actor := state(r.Context()).actor
	var err error
	if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
		err = &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "confirm_password", Key: "password.mismatch"}}}
	} else {
		err = s.cfg.Accounts.ChangePassword(r.Context(), actor, r.PostFormValue("current_password"), r.PostFormValue("new_password"))
	}
	if err != nil {
		data, derr := s.accountData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "account", data, err)
		return
	}
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	plain, tok, err := s.cfg.Accounts.CreateToken(r.Context(), state(r.Context()).actor, r.PostFormValue("name"))
	if err != nil {
		data, derr := s.accountData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "account", data, err)
		return
	}
	// Shown once, on this response only.
	s.render(w, r, http.StatusOK, "token_created", map[string]any{"Token": plain, "Name": tok.Name})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Accounts.RevokeToken(r.Context(), state(r.Context()).actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// actorOf returns the signed-in actor; the route's access level guarantees there is one.
func actorOf(r *http.Request) core.Actor { return state(r.Context()).actor }
