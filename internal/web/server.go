// Package web serves Ñandutí over HTTP: the server-rendered pages, the JSON API under /api/v1,
// health and metrics. Handlers only translate between HTTP and the domain services; access
// checks, validation and audit happen in the services.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"nanduti/internal/core"
	"net/http"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
	"nanduti/internal/screenings"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/training"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config is what the server needs.
type Config struct {
	Accounts *accounts.Service
	Audit    *audit.Service
	// Ping checks the database for /healthz.
	Ping    func(context.Context) error
	Logger  *slog.Logger
	Version string
	// Demo marks a demonstration deployment: every page says so.
	Demo bool
	// MetricsToken, when set, is required as a bearer token on /metrics.
	MetricsToken string
	// Training serves the training programme's pages, its API and certificate verification;
	// without it they are not registered.
	Training *training.Service
	// Cases serves the case pages and API; without it they are not registered.
	Cases *cases.Service
	// Persons serves the person pages and API; without it they are not registered.
	Persons *persons.Service
	// Screenings serves the screening pages and API; without it they are not registered.
	Screenings *screenings.Service
	// Stats serves the statistics dashboard, datasets, downloads and API; without it they
	// are not registered.
	Stats *analysis.Service
	// Dedupe serves the possible-duplicate pages and API; without it they are not registered.
	Dedupe *dedupe.Service
}

// Server is the HTTP side of Ñandutí.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]*pageTemplate
	metrics *metrics
	routes  []Route
	handler http.Handler
	openAPI []byte
}

// Access says who may reach a route before the service layer decides the rest.
type Access int

// Route access levels.
const (
	Public    Access = iota // anyone, signed in or not
	SignedIn                // a fully signed-in web session
	SigningIn               // a session part-way through signing in (second factor, enrolment)
	APIToken                // a bearer token
)

// Route is one registered endpoint; the access-matrix test walks them all.
type Route struct {
	Pattern string
	Access  Access
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), metrics: newMetrics()}
	var err error
	if s.pages, err = parseTemplates(templateFiles); err != nil {
		return nil, err
	}
	if s.openAPI, err = OpenAPIDocument(); err != nil {
		return nil, err
	}
	s.routesUI()
	s.routesAPI()
	s.routesTraining()
	s.routesScreenings()
	s.routesCases()
	s.routesPersons()
	s.routesStats()
	s.routesDedupe()
	static, _ := fs.Sub(staticFiles, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	s.routes = append(s.routes, Route{"GET /static/", Public})
	s.handle("GET /healthz", Public, s.healthz)
	s.mux.Handle("GET /metrics", s.metricsHandler())
	s.routes = append(s.routes, Route{"GET /metrics", Public})
	// Anything else is our own "not found", in the visitor's language (JSON under /api/),
	// never the bare text of the standard library.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, core.Errorf(core.NotFound, "error.not_found"))
	})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errCrossOrigin)
	}))
	s.handler = s.observe(securityHeaders(cop.Handler(s.authenticate(s.mux))))
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists every registered route.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// handle registers a route with its access level.
func (s *Server) handle(pattern string, access Access, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Access: access})
	s.mux.Handle(pattern, s.require(access, h))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Ping != nil {
		if err := s.cfg.Ping(ctx); err != nil {
			s.log.Error("health check failed", "request_id", requestID(r.Context()), "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
	}
	w.Write([]byte("ok\n"))
}

// cacheStatic lets browsers keep the embedded files for a day: they change only with a release.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
