package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/stats/analysis"
)

// statsActor is the user whose scope a case-database table counts: the user with the email,
// or the system actor (every agency's cases) when email is empty.
func statsActor(ctx context.Context, a *app, email string) (core.Actor, string, error) {
	if strings.TrimSpace(email) == "" {
		return core.SystemActor, "every agency's cases (system actor)", nil
	}
	actor, u, err := userActor(ctx, a, email)
	if err != nil {
		return core.Actor{}, "", err
	}
	return actor, "the cases " + u.Email + " may count", nil
}

// userActor is the actor of the enabled user with the email (--as): an unknown or disabled
// user is a usage error.
func userActor(ctx context.Context, a *app, email string) (core.Actor, core.User, error) {
	u, err := a.accounts.UserByEmail(ctx, core.SystemActor, email)
	if core.Is(err, core.NotFound) {
		return core.Actor{}, u, usagef("no user has the email %q", accounts.NormaliseEmail(email))
	}
	if err != nil {
		return core.Actor{}, u, err
	}
	if u.Disabled {
		return core.Actor{}, u, usagef("the user %q is disabled", u.Email)
	}
	ag, err := a.accounts.Agency(ctx, core.SystemActor, u.AgencyID)
	if err != nil {
		return core.Actor{}, u, err
	}
	return core.Actor{UserID: u.ID, AgencyID: u.AgencyID, TaskForceID: ag.TaskForceID, Roles: u.Roles}, u, nil
}

// caseSource names the case-database source of --source db[:presumed].
func caseSource(arg string) (string, error) {
	switch arg {
	case "":
		return analysis.SourceDB, nil
	case "presumed":
		return analysis.SourceDBPresumed, nil
	}
	return "", usagef("unknown --source db:%s; use db (identified victims) or db:presumed (presumed victims)", arg)
}

// runStatsTableDB counts the case database through the statistics service, exactly as the
// dashboard does: within the user's scope, disclosure-controlled, and audited as an export
// (stats.export, with the names of the options given) before the table is written.
func runStatsTableDB(ctx context.Context, c *CLI, cfg *dbConfig, as, arg string, by []string, flt []*stats.Filter,
	format string, threshold int, out string) error {
	source, err := caseSource(arg)
	if err != nil {
		return err
	}
	if threshold < analysis.MinThreshold || threshold > analysis.MaxThreshold {
		return usagef("--suppress must be between %d and %d for the case database", analysis.MinThreshold, analysis.MaxThreshold)
	}
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	actor, scope, err := statsActor(ctx, a, as)
	if err != nil {
		return err
	}
	keys := make([]string, len(by))
	for i, n := range by {
		d, _ := stats.LookupDimension(n)
		keys[i] = d.Key
	}
	params := []string{"by", "format", "source", "suppress"}
	if len(flt) > 0 {
		params = append(params, "filter")
	}
	req := analysis.Request{Source: source, By: keys, Filters: flt, Threshold: threshold, Params: params}
	var buf bytes.Buffer
	if err := a.stats.Export(ctx, actor, req, format, &buf); err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			if ce.Code == core.Forbidden {
				return fmt.Errorf("the user %q may not use statistics", as)
			}
			return c.explain(err)
		}
		return err
	}
	if out == "" {
		_, err = c.Stdout.Write(buf.Bytes())
	} else {
		err = writeFileAtomically(out, buf.Bytes())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stderr, "counted %s; threshold %d; export recorded in the audit chain\n", scope, threshold)
	return nil
}

// writeFileAtomically writes a file that appears only once complete.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".nanduti-stats-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// runStatsCases writes a case-database table that is not a count of victims (proceedings,
// referrals, time to first referral), through the statistics service: within the user's
// scope, disclosure-controlled, audited before it is written.
func runStatsCases(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("stats cases", "stats cases --table "+strings.Join(analysis.CaseTables, "|")+" [--as EMAIL] [--format csv|xlsx|json] [--suppress K] [--out FILE] [--data DIR | --db URL]")
	dbCfg := c.addDBFlags(fs, "nanduti-data")
	table := fs.String("table", "", "the table: "+strings.Join(analysis.CaseTables, ", "))
	as := fs.String("as", "", "count the cases this user (email) may count; without it the system actor counts every agency's cases")
	format := fs.String("format", "csv", "output format: "+strings.Join(stats.Formats, ", "))
	suppress := fs.Int("suppress", stats.DefaultThreshold, "disclosure threshold K: counts 1..K-1 show as <K, with complementary suppression")
	out := fs.String("out", "", "write to this file instead of standard output")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if !slices.Contains(analysis.CaseTables, *table) {
		return usagef("--table must be one of %s (got %q)", strings.Join(analysis.CaseTables, ", "), *table)
	}
	if !slices.Contains(stats.Formats, *format) {
		return usagef("unknown --format %q; use %s", *format, strings.Join(stats.Formats, ", "))
	}
	if *suppress < analysis.MinThreshold || *suppress > analysis.MaxThreshold {
		return usagef("--suppress must be between %d and %d for the case database", analysis.MinThreshold, analysis.MaxThreshold)
	}
	a, err := openApp(ctx, dbCfg, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	actor, _, err := statsActor(ctx, a, *as)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.stats.CaseTable(ctx, actor, *table, *suppress, *format, &buf); err != nil {
		if core.Is(err, core.Forbidden) {
			return fmt.Errorf("the user %q may not use statistics", *as)
		}
		return c.explain(err)
	}
	if *out == "" {
		_, err = c.Stdout.Write(buf.Bytes())
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	return os.Rename(tmp, *out)
}
