package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"nanduti/internal/demo"
	"nanduti/internal/web"
)

func init() {
	extraCommands = append(extraCommands,
		command{"serve", "run the web application and the API", runServe},
		command{"demo", "create the demo task force (idempotent) and serve it", runDemo},
	)
}

// serveConfig holds the flags shared by serve and demo.
type serveConfig struct {
	db           *dbConfig
	addr         string
	tlsCert      string
	tlsKey       string
	logLevel     string
	metricsToken string
	// dedupeEvery is how often the dedupe job runs in the background; 0 turns it off.
	dedupeEvery time.Duration
	// rules is the deployment's rulebook file extending the embedded one ("" for none);
	// rulesArchive are its earlier versions, kept so stored screenings still reproduce.
	rules        string
	rulesArchive []string
}

func (c *CLI) addServeFlags(fs *flag.FlagSet, defaultData string) *serveConfig {
	cfg := &serveConfig{db: c.addDBFlags(fs, defaultData)}
	addr := c.Getenv("NANDUTI_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	fs.StringVar(&cfg.addr, "addr", addr, "address to listen on, HOST:PORT (env NANDUTI_ADDR)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", c.Getenv("NANDUTI_TLS_CERT"), "TLS certificate file; serve HTTPS directly (env NANDUTI_TLS_CERT)")
	fs.StringVar(&cfg.tlsKey, "tls-key", c.Getenv("NANDUTI_TLS_KEY"), "TLS key file (env NANDUTI_TLS_KEY)")
	level := c.Getenv("NANDUTI_LOG_LEVEL")
	if level == "" {
		level = "info"
	}
	fs.StringVar(&cfg.logLevel, "log-level", level, "debug, info, warn or error (env NANDUTI_LOG_LEVEL)")
	cfg.metricsToken = c.Getenv("NANDUTI_METRICS_TOKEN")
	every := 6 * time.Hour
	if v := c.Getenv("NANDUTI_DEDUPE_EVERY"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			every = d
		} else {
			every = -1
		}
	}
	fs.DurationVar(&cfg.dedupeEvery, "dedupe-every", every, "run the dedupe job this often, for example 6h; 0 turns it off (env NANDUTI_DEDUPE_EVERY)")
	fs.StringVar(&cfg.rules, "rules", c.Getenv("NANDUTI_RULES"), "the deployment's screening rulebook `FILE`, extending the embedded rules (env NANDUTI_RULES)")
	fs.Func("rules-archive", "an earlier version of the deployment's rulebook `FILE`, so screenings judged by it still reproduce (repeatable)", func(v string) error {
		cfg.rulesArchive = append(cfg.rulesArchive, v)
		return nil
	})
	return cfg
}

func (cfg *serveConfig) check() error {
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return usagef("--addr must be HOST:PORT, for example 127.0.0.1:8080 (got %q)", cfg.addr)
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if cfg.dedupeEvery < 0 {
		return usagef("--dedupe-every (or NANDUTI_DEDUPE_EVERY) must be a duration such as 6h, or 0 to turn the job off")
	}
	return nil
}

// appOptions loads the deployment's rulebooks, so that a malformed file stops the server at
// start with its file, line and reason.
func (cfg *serveConfig) appOptions(demoMode bool) (appOptions, error) {
	opts := appOptions{demo: demoMode}
	if cfg.rules != "" {
		rb, err := loadRules(cfg.rules)
		if err != nil {
			return opts, err
		}
		opts.rulebook = rb
	}
	for _, f := range cfg.rulesArchive {
		rb, err := loadRules(f)
		if err != nil {
			return opts, err
		}
		opts.archive = append(opts.archive, rb)
	}
	return opts, nil
}

func runServe(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("serve", "serve [--data DIR | --db postgres://...] [--addr HOST:PORT] [--tls-cert FILE --tls-key FILE]")
	cfg := c.addServeFlags(fs, "nanduti-data")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.check(); err != nil {
		return err
	}
	return c.serve(ctx, cfg, false)
}

func runDemo(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("demo", "demo [--data DIR] [--addr HOST:PORT] [--no-serve]")
	cfg := c.addServeFlags(fs, "nanduti-demo")
	noServe := fs.Bool("no-serve", false, "create the demo data and print the credentials, then exit")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.check(); err != nil {
		return err
	}
	opts, err := cfg.appOptions(true)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg.db, opts)
	if err != nil {
		return err
	}
	creds, err := demo.Seed(ctx, demo.Services{Accounts: a.accounts, Training: a.training, Screenings: a.screenings,
		Persons: a.protect.persons, Cases: a.cases, Dedupe: a.dedupe})
	a.Close()
	if err != nil {
		return c.explain(err)
	}
	fmt.Fprintf(c.Stdout, "Ñandutí demo: %s\n\n", demo.TaskForceName)
	fmt.Fprintf(c.Stdout, "Demo accounts (password for all: %s)\n", demo.Password)
	for _, cr := range creds {
		fmt.Fprintf(c.Stdout, "  %-32s %-12s %s\n", cr.Email, cr.AgencyCode, cr.Role)
	}
	fmt.Fprintln(c.Stdout, "\nThe second factor is waived in demo mode; every page says so.")
	if *noServe {
		return nil
	}
	return c.serve(ctx, cfg, true)
}

// serve runs the HTTP server until ctx is cancelled (SIGINT or SIGTERM), then lets requests
// in flight finish.
func (c *CLI) serve(ctx context.Context, cfg *serveConfig, demoMode bool) error {
	logger, err := newLogger(c.Stderr, cfg.logLevel)
	if err != nil {
		return err
	}
	opts, err := cfg.appOptions(demoMode)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg.db, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	// A missing or wrong key file stops the server here, not at its first request.
	if _, err := a.protect.ready(); err != nil {
		return err
	}
	srv, err := web.New(web.Config{Accounts: a.accounts, Audit: a.audit, Ping: a.db.Ping, Logger: logger,
		Version: version, Demo: demoMode, MetricsToken: cfg.metricsToken, Training: a.training, Screenings: a.screenings,
		Stats: a.stats, Persons: a.protect.persons, Cases: a.cases, Dedupe: a.dedupe})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.tlsCert != "" {
		scheme = "https"
	}
	logger.Info("listening", "addr", ln.Addr().String(), "engine", a.db.Engine(), "demo", demoMode, "version", version)
	fmt.Fprintf(c.Stdout, "Serving on %s://%s/ (Ctrl-C to stop)\n", scheme, ln.Addr())
	job := startDedupeJob(ctx, a.dedupe, cfg.dedupeEvery, logger)
	defer job.Stop()
	errc := make(chan error, 1)
	go func() {
		if cfg.tlsCert != "" {
			errc <- hs.ServeTLS(ln, cfg.tlsCert, cfg.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
