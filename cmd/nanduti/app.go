package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/dedupe"
	"nanduti/internal/i18n"
	"nanduti/internal/screening"
	"nanduti/internal/screenings"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store"
	"nanduti/internal/training"
)

// app is the wired system: the database and the domain services on it. Only this package
// connects concrete implementations; everything else depends on interfaces.
type app struct {
	db       *store.DB
	accounts *accounts.Service
	audit    *audit.Service
	training *training.Service
	// stats serves analysis datasets, tables and reports.
	stats *analysis.Service

	screenings *screenings.Service
	// cases is the case module; its persons and sealed notes come through protect.
	cases *cases.Service
	// protect holds the key ring and the persons service, which seals identities with it.
	protect *protection
	// dedupe finds persons recorded more than once, opening identities with protect.
	dedupe *dedupe.Service
}

// dbConfig is where the data lives, from flags or the environment.
type dbConfig struct {
	data    string
	dsn     string
	kekFile string // the key file that seals identities (see protection)
}

// addDBFlags registers --data and --db, defaulting to NANDUTI_DATA and NANDUTI_DB.
func (c *CLI) addDBFlags(fs *flag.FlagSet, defaultData string) *dbConfig {
	cfg := &dbConfig{}
	data := c.Getenv("NANDUTI_DATA")
	if data == "" {
		data = defaultData
	}
	fs.StringVar(&cfg.data, "data", data, "data directory for the embedded SQLite database (env NANDUTI_DATA)")
	fs.StringVar(&cfg.dsn, "db", c.Getenv("NANDUTI_DB"), "PostgreSQL URL postgres://...; empty for SQLite under --data (env NANDUTI_DB)")
	fs.StringVar(&cfg.kekFile, "kek-file", c.Getenv("NANDUTI_KEK_FILE"), "key file sealing identities; default DIR/keys/kek.json with SQLite, required with PostgreSQL (env NANDUTI_KEK_FILE)")
	return cfg
}

func (cfg *dbConfig) resolve() (string, error) {
	if cfg.dsn != "" {
		if !strings.HasPrefix(cfg.dsn, "postgres://") && !strings.HasPrefix(cfg.dsn, "postgresql://") {
			return "", usagef("--db must be a postgres:// or postgresql:// URL (leave it empty to use SQLite under --data)")
		}
		return cfg.dsn, nil
	}
	if cfg.data == "" {
		return "", usagef("--data must name a directory (or set NANDUTI_DATA)")
	}
	return filepath.Join(cfg.data, "nanduti.db"), nil
}

// appOptions tune the services for the command at hand.
type appOptions struct {
	demo bool
	// rulebook judges new screenings (nil: the embedded one); archive holds earlier versions
	// of a deployment's own rulebook.
	rulebook *screening.Rulebook
	archive  []*screening.Rulebook
}

// openApp opens and migrates the database and builds the services.
func openApp(ctx context.Context, cfg *dbConfig, opts appOptions) (*app, error) {
	dsn, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate the database: %w", err)
	}
	protect := newProtection(db, cfg)
	// A screening may only point at a person its author may see.
	scr, err := screenings.New(db.Screenings(), screenings.Config{CheckPerson: protect.persons.Exists,
		Rulebook: opts.rulebook, Archive: opts.archive})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &app{
		db:       db,
		accounts: accounts.New(db.Accounts(), accounts.Config{SecondFactorWaived: opts.demo}),
		audit:    audit.NewService(db.Audit()),
		training: training.New(db.Training(), training.Config{Field: db.CaseStats()}),
		stats:    analysis.New(db.Analysis(), analysis.Config{Cases: db.CaseStats()}),

		screenings: scr,
		cases:      protect.cases,
		protect:    protect,
		dedupe:     dedupe.New(db.Dedupe(), protect.persons, dedupe.Config{Cases: protect.cases}),
	}, nil
}

func (a *app) Close() error { return a.db.Close() }

// cliLang is the language of command-line messages: English when LANG says so, Spanish
// otherwise.
func (c *CLI) cliLang() string {
	for _, v := range []string{c.Getenv("NANDUTI_LANG"), c.Getenv("LC_ALL"), c.Getenv("LANG")} {
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "en") {
			return "en"
		}
		if strings.HasPrefix(v, "es") {
			return "es"
		}
	}
	return i18n.Default
}

// explain turns a domain error into a message for the terminal: invalid input becomes a usage
// error (exit 2) listing each field's problem; other codes keep their message.
func (c *CLI) explain(err error) error {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return err
	}
	lang := c.cliLang()
	msg := i18n.T(lang, ce.Key, ce.Args...)
	for _, f := range ce.Fields {
		msg += fmt.Sprintf("\n  --%s: %s", strings.ReplaceAll(f.Field, "_", "-"), i18n.T(lang, f.Key, f.Args...))
	}
	switch ce.Code {
	case core.Invalid, core.Conflict:
		return usagef("%s", msg)
	case core.Internal:
		return err
	}
	return errors.New(msg)
}

// newLogger writes JSON logs to w at the given level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level must be debug, info, warn or error")
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// openAppNoMigrate opens the database without migrating, for the migrate command itself.
func openAppNoMigrate(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	return db, nil
}
