package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/seal"
)

func init() {
	extraCommands = append(extraCommands, command{"keys", "the keys that seal identities: status, rotate, retire", runKeys})
}

func runKeys(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "keys", args, map[string]func(context.Context, []string) error{
		"status": func(ctx context.Context, args []string) error { return c.keysStatus(ctx, args) },
		"rotate": func(ctx context.Context, args []string) error { return c.keysRotate(ctx, args) },
		"retire": func(ctx context.Context, args []string) error { return c.keysRetire(ctx, args) },
	})
}

// openKeys opens the database and the key ring for a keys subcommand.
func (c *CLI) openKeys(ctx context.Context, db *dbConfig) (*app, *seal.Manager, error) {
	if _, err := db.kekPath(); err != nil {
		return nil, nil, err
	}
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return nil, nil, err
	}
	m, err := a.protect.manager()
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, m, nil
}

// keysDBUsage is the database part of the keys subcommands' usage lines.
const keysDBUsage = "[--data DIR | --db postgres://... --kek-file FILE]"

func (c *CLI) keysStatus(ctx context.Context, args []string) error {
	fs := c.newFlagSet("keys status", "keys status "+keysDBUsage+" [--format text|json]")
	db := c.addDBFlags(fs, "nanduti-data")
	format := fs.String("format", "text", "text or json")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	a, m, err := c.openKeys(ctx, db)
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := m.Status(ctx, core.SystemActor)
	if err != nil {
		return c.explain(err)
	}
	if *format == "json" {
		type key struct {
			ID        string     `json:"id"`
			CreatedAt *time.Time `json:"created_at,omitempty"`
			Active    bool       `json:"active"`
			Rows      int64      `json:"rows"`
			Missing   bool       `json:"missing_from_file"`
		}
		out := struct {
			File       string `json:"file"`
			Active     string `json:"active"`
			IndexKey   string `json:"index_key"`
			Keys       []key  `json:"keys"`
			Unfinished int64  `json:"rows_under_older_keys"`
		}{File: st.File, Active: st.Active, IndexKey: st.IndexKeyID, Keys: []key{}, Unfinished: st.Unfinished()}
		for _, k := range st.Keys {
			kk := key{ID: k.ID, Active: k.Active, Rows: k.Rows, Missing: k.Missing}
			if !k.CreatedAt.IsZero() {
				t := k.CreatedAt
				kk.CreatedAt = &t
			}
			out.Keys = append(out.Keys, kk)
		}
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(c.Stdout, "key file:  %s\nindex key: %s\n\n", st.File, st.IndexKeyID)
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCREATED\tROWS\tSTATE")
	for _, k := range st.Keys {
		state, created := "", "-"
		switch {
		case k.Missing:
			state = "MISSING FROM THE KEY FILE"
		case k.Active:
			state = "active"
		case k.Rows == 0:
			state = "unused: may be retired"
		default:
			state = "in use: finish the rotation"
		}
		if !k.CreatedAt.IsZero() {
			created = k.CreatedAt.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", k.ID, created, k.Rows, state)
	}
	tw.Flush()
	if n := st.Unfinished(); n > 0 {
		fmt.Fprintf(c.Stdout, "\n%d rows are still under older keys: run nanduti keys rotate to finish.\n", n)
	}
	return nil
}

func (c *CLI) keysRotate(ctx context.Context, args []string) error {
	fs := c.newFlagSet("keys rotate", "keys rotate "+keysDBUsage+" [--batch-size N] [--max-batches N] [--progress]")
	db := c.addDBFlags(fs, "nanduti-data")
	batch := fs.Int("batch-size", 500, "data keys re-wrapped per transaction")
	maxBatches := fs.Int("max-batches", 0, "stop after this many batches (0: run to the end); run again to continue")
	progress := fs.Bool("progress", false, "show a progress bar even when standard error is not a terminal")
	verbose := fs.Bool("verbose", false, "print a line after every batch")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *batch < 1 || *batch > 100000 {
		return usagef("--batch-size must be between 1 and 100000")
	}
	if *maxBatches < 0 {
		return usagef("--max-batches must be 0 or more")
	}
	a, m, err := c.openKeys(ctx, db)
	if err != nil {
		return err
	}
	defer a.Close()
	bar := c.newBar(c.showProgress(*progress), -1, "re-wrapping data keys")
	opts := seal.RotateOptions{BatchSize: *batch, MaxBatches: *maxBatches, Progress: func(done, total int64) {
		bar.ChangeMax64(total)
		bar.Set64(done)
		if *verbose {
			fmt.Fprintf(c.Stdout, "re-wrapped %d of %d\n", done, total)
		}
	}}
	start := time.Now()
	rep, err := m.Rotate(ctx, core.SystemActor, opts)
	bar.Finish()
	if err != nil {
		return c.explain(err)
	}
	if rep.NewKey {
		fmt.Fprintf(c.Stdout, "new active key %s written to %s\n", rep.KeyID, a.protect.path)
	} else {
		fmt.Fprintf(c.Stdout, "continuing the rotation to key %s\n", rep.KeyID)
	}
	fmt.Fprintf(c.Stdout, "re-wrapped %d data keys in %s\n", rep.Rewrapped, time.Since(start).Round(time.Millisecond))
	if rep.Remaining > 0 {
		fmt.Fprintf(c.Stdout, "stopped: %d rows are still under older keys; run nanduti keys rotate again to continue\n", rep.Remaining)
		return nil
	}
	st, err := m.Status(ctx, core.SystemActor)
	if err != nil {
		return c.explain(err)
	}
	for _, k := range st.Keys {
		if !k.Active && k.Rows == 0 && !k.Missing {
			fmt.Fprintf(c.Stdout, "no row uses %s any more: copy the key file to every server, then run nanduti keys retire --id %s\n", k.ID, k.ID)
		}
	}
	return nil
}

func (c *CLI) keysRetire(ctx context.Context, args []string) error {
	fs := c.newFlagSet("keys retire", "keys retire --id KEY "+keysDBUsage)
	db := c.addDBFlags(fs, "nanduti-data")
	id := fs.String("id", "", "the key to remove from the key file (see nanduti keys status)")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *id == "" {
		return usagef("--id is required")
	}
	a, m, err := c.openKeys(ctx, db)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := m.Retire(ctx, core.SystemActor, *id); err != nil {
		return c.explain(err)
	}
	fmt.Fprintf(c.Stdout, "removed key %s from %s\n", *id, a.protect.path)
	return nil
}
