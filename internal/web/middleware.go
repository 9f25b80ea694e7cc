package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/i18n"
)

// reqState is what the middleware learns about a request; handlers read it from the context.
type reqState struct {
	id      string
	lang    string
	token   string // the session cookie's value
	session *accounts.SessionInfo
	actor   core.Actor // set for full sessions and API tokens
	bearer  bool
}

type stateKey struct{}

func state(ctx context.Context) *reqState {
	if st, ok := ctx.Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{lang: i18n.Default}
}

func requestID(ctx context.Context) string { return state(ctx).id }

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe gives each request an id, recovers from panics, and logs and measures the request
// by its route pattern, never by its URL, which could carry search terms or ids.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		rand.Read(b)
		st := &reqState{id: hex.EncodeToString(b), lang: i18n.Default}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		rec := &statusRecorder{ResponseWriter: w}
		w.Header().Set("X-Request-Id", st.id)
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", st.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.fail(rec, r, core.Errorf(core.Internal, "error.internal"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			s.metrics.observe(route, r.Method, status, elapsed)
			attrs := []any{"request_id", st.id, "method", r.Method, "route", route, "status", status,
				"duration_ms", float64(elapsed.Microseconds()) / 1000}
			if st.actor.UserID != 0 {
				attrs = append(attrs, "actor_id", st.actor.UserID, "agency_id", st.actor.AgencyID, "session", st.actor.SessionID)
			}
			s.log.Info("request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// contentSecurityPolicy allows no script at all, styles and images from this origin only, and
// no framing: the pages work without JavaScript, so nothing needs more.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}

// Cookie names. The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain, so
// no other site or subdomain can set or read them.
const (
	sessionCookie = "__Host-nanduti"
	langCookie    = "__Host-nanduti-lang"
)

// authenticate identifies the caller: a bearer token on /api/, the session cookie elsewhere.
// It sets the request's language too: the session's choice, then the language cookie, then
// Accept-Language.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r.Context())
		st.lang = i18n.Match(r.Header.Get("Accept-Language"))
		if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
			st.lang = c.Value
		}
		// Static files, health and metrics never act for anyone: no session lookup for them.
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
				actor, err := s.cfg.Accounts.AuthenticateToken(r.Context(), strings.TrimSpace(tok))
				if err != nil && !core.Is(err, core.Unauthenticated) {
					s.fail(w, r, err)
					return
				}
				if err == nil {
					st.actor, st.bearer = actor, true
				}
			}
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			info, err := s.cfg.Accounts.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				st.token, st.session = c.Value, &info
				if info.Session.Lang != "" && i18n.Supported(info.Session.Lang) {
					st.lang = info.Session.Lang
				}
				if info.Session.Stage == accounts.StageFull {
					st.actor = info.Actor
				}
			case core.Is(err, core.Unauthenticated):
				clearCookie(w, sessionCookie)
			default:
				s.fail(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// require enforces a route's access level before its handler runs.
func (s *Server) require(access Access, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r.Context())
		switch access {
		case SignedIn:
			if st.session == nil {
				s.redirectToLogin(w, r)
				return
			}
			switch st.session.Session.Stage {
			case accounts.StageSecondFactor:
				http.Redirect(w, r, "/login/second-factor", http.StatusSeeOther)
				return
			case accounts.StageEnrol:
				http.Redirect(w, r, "/account/second-factor", http.StatusSeeOther)
				return
			}
		case SigningIn:
			if st.session == nil {
				s.redirectToLogin(w, r)
				return
			}
		case APIToken:
			if !st.bearer {
				w.Header().Set("WWW-Authenticate", `Bearer realm="nanduti"`)
				s.fail(w, r, core.Errorf(core.Unauthenticated, "error.unauthenticated"))
				return
			}
		}
		if st.actor.UserID != 0 {
			r = r.WithContext(core.WithActor(r.Context(), st.actor))
		}
		h(w, r)
	})
}

func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.fail(w, r, core.Errorf(core.Unauthenticated, "error.unauthenticated"))
}

func setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// formInt reads a positive integer path value; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, core.Errorf(core.NotFound, "error.not_found")
	}
	return n, nil
}
