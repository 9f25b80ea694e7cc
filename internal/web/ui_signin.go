package web

import (
	"net/http"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
)

// maxFormBytes bounds a form submission; no form of the shell needs more.
const maxFormBytes = 1 << 20

func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return core.Wrap(core.Invalid, "error.bad_form", err)
	}
	return nil
}

func (s *Server) routesUI() {
	s.handle("GET /{$}", SignedIn, s.home)
	s.handle("GET /login", Public, s.loginForm)
	s.handle("POST /login", Public, s.login)
	s.handle("GET /login/second-factor", SigningIn, s.secondFactorForm)
	s.handle("POST /login/second-factor", SigningIn, s.secondFactor)
	s.handle("GET /account/second-factor", SigningIn, s.enrolForm)
	s.handle("POST /account/second-factor", SigningIn, s.enrol)
	s.handle("POST /logout", SigningIn, s.logout)
	s.handle("POST /logout/everywhere", SignedIn, s.logoutEverywhere)
	s.handle("POST /language", Public, s.setLanguage)
	s.handle("GET /account", SignedIn, s.account)
	s.handle("POST /account/password", SignedIn, s.changePassword)
	s.handle("POST /account/tokens", SignedIn, s.createToken)
	s.handle("POST /account/tokens/{id}/revoke", SignedIn, s.revokeToken)
	s.handle("GET /admin/agencies", SignedIn, s.agencies)
	s.handle("POST /admin/agencies", SignedIn, s.createAgency)
	s.handle("GET /admin/users", SignedIn, s.users)
	s.handle("GET /admin/users/new", SignedIn, s.newUserForm)
	s.handle("POST /admin/users", SignedIn, s.createUser)
	s.handle("GET /admin/users/{id}", SignedIn, s.user)
	s.handle("POST /admin/users/{id}/disable", SignedIn, s.disableUser)
	s.handle("POST /admin/users/{id}/enable", SignedIn, s.enableUser)
	s.handle("POST /admin/users/{id}/roles", SignedIn, s.setUserRoles)
	s.handle("POST /admin/users/{id}/reset-second-factor", SignedIn, s.resetUserSecondFactor)
	s.handle("GET /audit", SignedIn, s.auditLog)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if st := state(r.Context()); st.session != nil && st.session.Session.Stage == accounts.StageFull {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", nil)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	st := state(r.Context())
	// A new sign-in replaces whatever session the browser had.
	if st.token != "" {
		s.cfg.Accounts.Logout(r.Context(), st.token)
		st.session, st.token = nil, ""
	}
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	if email == "" || password == "" {
		s.formErrorKey(w, r, "login", http.StatusBadRequest, "email", "login.missing")
		return
	}
	token, stage, err := s.cfg.Accounts.Login(r.Context(), email, password, st.lang)
	switch core.ErrorCode(err) {
	case "":
	case core.Unauthenticated:
		s.formErrorKey(w, r, "login", http.StatusUnauthorized, "email", "login.failed")
		return
	case core.TooManyRequests:
		s.formErrorKey(w, r, "login", http.StatusTooManyRequests, "email", "login.locked")
		return
	default:
		s.fail(w, r, err)
		return
	}
	setCookie(w, sessionCookie, token, 0)
	switch stage {
	case accounts.StageSecondFactor:
		http.Redirect(w, r, "/login/second-factor", http.StatusSeeOther)
	case accounts.StageEnrol:
		http.Redirect(w, r, "/account/second-factor", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

func (s *Server) secondFactorForm(w http.ResponseWriter, r *http.Request) {
	if state(r.Context()).session.Session.Stage != accounts.StageSecondFactor {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "second_factor", nil)
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	token, err := s.cfg.Accounts.CompleteSecondFactor(r.Context(), state(r.Context()).token, r.PostFormValue("code"))
	if core.Is(err, core.TooManyRequests) {
		s.formErrorKey(w, r, "second_factor", http.StatusTooManyRequests, "code", "login.locked")
		return
	}
	if err != nil {
		s.formError(w, r, "second_factor", nil, err)
		return
	}
	setCookie(w, sessionCookie, token, 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) enrolData(r *http.Request) (map[string]any, error) {
	secret, uri, err := s.cfg.Accounts.StartEnrolment(r.Context(), state(r.Context()).token)
	if err != nil {
		return nil, err
	}
	qr, err := qrSVG(uri)
	if err != nil {
		return nil, core.Wrap(core.Internal, "error.internal", err)
	}
	return map[string]any{"Secret": groupSecret(secret), "QR": qr}, nil
}

func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.enrolData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "enrol", data)
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	codes, err := s.cfg.Accounts.ConfirmEnrolment(r.Context(), state(r.Context()).token, r.PostFormValue("code"))
	if err != nil {
		data, derr := s.enrolData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "enrol", data, err)
		return
	}
	// The recovery codes are shown once, on this response; they are never stored in clear.
	s.render(w, r, http.StatusOK, "recovery_codes", map[string]any{"Codes": codes})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.cfg.Accounts.Logout(r.Context(), state(r.Context()).token)
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Accounts.LogoutEverywhere(r.Context(), state(r.Context()).actor); err != nil {
		s.fail(w, r, err)
		return
	}
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := r.PostFormValue("lang")
	if !i18n.Supported(lang) {
		s.fail(w, r, core.Errorf(core.Invalid, "language.unknown"))
		return
	}
	st := state(r.Context())
	if st.token != "" {
		if err := s.cfg.Accounts.SetLanguage(r.Context(), st.token, lang); err != nil && !core.Is(err, core.Unauthenticated) {
			s.fail(w, r, err)
			return
		}
	}
	setCookie(w, langCookie, lang, 365*24*time.Hour)
	back := r.PostFormValue("back")
	if !isLocalPath(back) {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// isLocalPath accepts only paths on this site, so that the language switch cannot be used to
// send someone elsewhere.
func isLocalPath(p string) bool {
	return len(p) > 0 && p[0] == '/' && (len(p) == 1 || (p[1] != '/' && p[1] != '\\'))
}

// groupSecret splits a TOTP secret in groups of four for typing it by hand.
func groupSecret(s string) string {
	var out []byte
	for i := 0; i < len(s); i++ {
		if i > 0 && i%4 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}
