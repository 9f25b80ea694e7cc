package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"nanduti/internal/cases"
	"nanduti/internal/casewire"
	"nanduti/internal/core"
	"nanduti/internal/persons"
	"nanduti/internal/seal"
	"nanduti/internal/store"
)

// protection is the key ring and the services that use it. The ring is loaded (or, on first
// start, created) only when a command needs it, so that commands which never touch sealed
// data run without the key file.
type protection struct {
	db      *store.DB
	path    string
	pathErr error
	keys    *seal.Lazy
	persons *persons.Service
	// cases is the cases service, wired to persons in both directions (see casewire).
	cases *cases.Service
}

// kekFile returns where the key file is: --kek-file or NANDUTI_KEK_FILE when given; with
// SQLite, keys/kek.json under the data directory otherwise. PostgreSQL deployments must name
// it: there is no data directory, and every node needs the same file.
func (cfg *dbConfig) kekPath() (string, error) {
	if cfg.kekFile != "" {
		return cfg.kekFile, nil
	}
	if cfg.dsn != "" {
		return "", usagef("--kek-file (or NANDUTI_KEK_FILE) must name the key file when the database is PostgreSQL")
	}
	if cfg.data == "" {
		return "", usagef("--data must name a directory (or set NANDUTI_DATA)")
	}
	return filepath.Join(cfg.data, "keys", "kek.json"), nil
}

func newProtection(db *store.DB, cfg *dbConfig) *protection {
	p := &protection{db: db}
	p.path, p.pathErr = cfg.kekPath()
	p.keys = seal.NewLazy(func() (*seal.Ring, error) { return p.load(context.Background()) })
	wired := casewire.New(db, p.keys, casewire.Config{})
	p.persons, p.cases = wired.Persons, wired.Cases
	return p
}

// load opens the key file, creating it when it does not exist and the database holds nothing
// sealed yet, and checks that it belongs to the database. A missing key file for a database
// with sealed rows is an error: a new key could never open them.
func (p *protection) load(ctx context.Context) (*seal.Ring, error) {
	if p.pathErr != nil {
		return nil, p.pathErr
	}
	ring, err := seal.LoadRing(p.path)
	if errors.Is(err, seal.ErrKeyFileMissing) {
		if err := p.checkNothingSealed(ctx); err != nil {
			return nil, err
		}
		ring, err = seal.CreateRing(p.path)
	}
	if err != nil {
		return nil, err
	}
	if err := seal.NewManager(p.db.Seal(), ring, nil).Check(ctx); err != nil {
		return nil, err
	}
	return ring, nil
}

func (p *protection) checkNothingSealed(ctx context.Context) error {
	return p.db.Seal().Read(ctx, func(tx seal.Tx) error {
		usage, err := tx.KeyUsage(ctx)
		if err != nil {
			return err
		}
		recorded, err := tx.IndexKeyID(ctx)
		if err != nil {
			return err
		}
		if len(usage) > 0 || recorded != "" {
			return fmt.Errorf("the key file %s is missing, but the database holds sealed data: restore the key file from its backup (a new key could never open that data)", p.path)
		}
		return nil
	})
}

// ready loads the key ring now, so that a server with a wrong or missing key file stops at
// start instead of failing its first request.
func (p *protection) ready() (*seal.Ring, error) {
	ring, err := p.keys.Ring()
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return ring, nil
}

// manager is the key manager on the loaded ring.
func (p *protection) manager() (*seal.Manager, error) {
	ring, err := p.ready()
	if err != nil {
		return nil, err
	}
	return seal.NewManager(p.db.Seal(), ring, core.SystemClock{}), nil
}
