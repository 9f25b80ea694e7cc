package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"nanduti/internal/access"
	"nanduti/internal/core"
	"nanduti/internal/linkage"
	"nanduti/internal/persons"
)

func init() {
	extraCommands = append(extraCommands, command{
		name:    "linkage",
		summary: "privacy-preserving record linkage: encode CLKs, match them",
		run:     runLinkage,
	})
}

const linkageUsage = `Usage: nanduti linkage SUBCOMMAND [flags]

Subcommands:
  encode   turn a CSV of persons, or this deployment's own (--from-db), into CLKs
           (clkhash-compatible Bloom filter encodings)
  match    link two or more parties' CLK files by Dice similarity and greedy solving
  dedupe   find persons recorded more than once in this deployment (candidates to review)

Run 'nanduti linkage SUBCOMMAND --help' for a subcommand's flags.
See docs/linkage.md for the normalisation to apply before encoding.
`

func runLinkage(ctx context.Context, c *CLI, args []string) error {
	if len(args) == 0 {
		return usagef("a subcommand is needed: encode, match or dedupe")
	}
	switch args[0] {
	case "encode":
		return runLinkageEncode(ctx, c, args[1:])
	case "match":
		return runLinkageMatch(ctx, c, args[1:])
	case "dedupe":
		return runLinkageDedupe(ctx, c, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(c.Stdout, linkageUsage)
		return errHelp
	}
	return usagef("unknown subcommand %q: encode, match or dedupe", args[0])
}

// parseInterleaved parses flags that may come before, between or after the positional
// arguments ("match --threshold 0.8 a.json b.json --out links.csv") and returns the positional
// ones. A lone "--" ends the flags.
func (c *CLI) parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := c.parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) > 0 && len(args) > 0 && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return positional, nil
		}
		args = rest
	}
}

// showProgress reports whether to draw progress bars: when asked, or when standard error is a
// terminal.
func (c *CLI) showProgress(forced bool) bool {
	if forced {
		return true
	}
	f, ok := c.Stderr.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (c *CLI) newBar(show bool, total int64, description string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetVisibility(show),
		progressbar.OptionSetWriter(c.Stderr),
		progressbar.OptionSetDescription(description),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionClearOnFinish(),
	)
}

func runLinkageEncode(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("linkage encode", "linkage encode --schema SCHEMA.json --secret-file KEY (--in persons.csv | --from-db --as EMAIL [--ids-out FILE] [--data DIR | --db URL --kek-file FILE]) --out clks.json")
	schemaPath := fs.String("schema", "", "linkage schema (clkhash format, version 1, 2 or 3)")
	secretPath := fs.String("secret-file", "", "file holding the shared secret (a trailing newline is not part of it)")
	inPath := fs.String("in", "", "CSV of persons with a header row, one column per schema feature in schema order ('-' for standard input)")
	fromDB := fs.Bool("from-db", false, "encode this deployment's persons instead of a CSV: those of the --as user's agency, in person id order (see docs/linkage.md)")
	as := fs.String("as", "", "with --from-db: the user (email) whose agency's persons are encoded; their role must see identities")
	idsOut := fs.String("ids-out", "", "with --from-db: also write the person id of each CLK, one a line in CLK order, to this file")
	db := c.addDBFlags(fs, "nanduti-data")
	outPath := fs.String("out", "", "where to write the CLKs as {\"clks\": [...]} ('-' for standard output)")
	noHeaderCheck := fs.Bool("no-header-check", false, "accept header names that differ from the schema's identifiers")
	workers := fs.Int("workers", 0, "hashing goroutines (0: one per CPU)")
	progress := fs.Bool("progress", false, "show a progress bar even when standard error is not a terminal")
	rest, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	switch {
	case *inPath != "" && *fromDB:
		return usagef("--in and --from-db exclude each other: give --in persons.csv to encode a file, or --from-db --as EMAIL to encode this deployment's persons")
	case *inPath == "" && !*fromDB:
		return usagef("--in or --from-db is required: --in persons.csv encodes a file, --from-db --as EMAIL this deployment's persons")
	case *fromDB && strings.TrimSpace(*as) == "":
		return usagef("--as is required with --from-db: the email of the user whose agency's persons are encoded (encoding opens their identities)")
	case !*fromDB && *as != "":
		return usagef("--as goes with --from-db; a CSV given with --in is encoded as it is")
	case !*fromDB && *idsOut != "":
		return usagef("--ids-out goes with --from-db; with --in the rows are those of the CSV")
	case *fromDB && *noHeaderCheck:
		return usagef("--no-header-check goes with --in; with --from-db the features are filled by their identifiers")
	}
	for _, f := range []struct{ name, value string }{{"--schema", *schemaPath}, {"--secret-file", *secretPath}, {"--out", *outPath}} {
		if f.value == "" {
			return usagef("%s is required", f.name)
		}
	}
	if *idsOut == "-" || (*idsOut != "" && *idsOut == *outPath) {
		return usagef("--ids-out must name a file of its own, apart from --out")
	}
	if *workers < 0 {
		return usagef("--workers must not be negative")
	}

	schemaBytes, err := os.ReadFile(*schemaPath)
	if err != nil {
		return usagef("schema: %v", err)
	}
	schema, err := linkage.ParseSchema(bytes.NewReader(schemaBytes))
	if err != nil {
		return usagef("%s: %v", *schemaPath, err)
	}
	secret, err := os.ReadFile(*secretPath)
	if err != nil {
		return usagef("secret file: %v", err)
	}
	secret = []byte(strings.TrimSuffix(strings.TrimSuffix(string(secret), "\n"), "\r"))
	if len(secret) == 0 {
		return usagef("the secret file %s is empty", *secretPath)
	}
	enc, err := linkage.NewEncoder(schema, secret)
	if err != nil {
		return usagef("%s: %v", *schemaPath, err)
	}
	if *fromDB {
		sum := sha256.Sum256(schemaBytes)
		return encodeFromDB(ctx, c, db, enc, encodeDBOptions{as: *as, schemaPath: *schemaPath,
			fingerprint: "sha256:" + hex.EncodeToString(sum[:]), out: *outPath, idsOut: *idsOut,
			workers: *workers, progress: *progress})
	}

	var in io.Reader = c.Stdin
	if *inPath != "-" {
		f, err := os.Open(*inPath)
		if err != nil {
			return usagef("input: %v", err)
		}
		defer f.Close()
		in = f
	}
	out, commit, err := c.createOutput(*outPath)
	if err != nil {
		return err
	}
	defer commit(false)

	bar := c.newBar(c.showProgress(*progress), -1, "encoding")
	n, err := linkage.EncodeCSV(ctx, enc, in, out, linkage.EncodeOptions{
		Workers:         *workers,
		SkipHeaderCheck: *noHeaderCheck,
		Progress:        func(done int64) { bar.Set64(done) },
	})
	bar.Finish()
	if err != nil {
		var rowErr *linkage.RowError
		if errors.As(err, &rowErr) || !isIOError(err) {
			return usagef("%s: %v", *inPath, err)
		}
		return fmt.Errorf("%s: %w", *inPath, err)
	}
	if err := commit(true); err != nil {
		return err
	}
	fmt.Fprintf(c.Stderr, "encoded %d records into %d-bit CLKs\n", n, schema.L)
	return nil
}

type encodeDBOptions struct {
	as, schemaPath, fingerprint string
	out, idsOut                 string
	workers                     int
	progress                    bool
}

// encodeFromDB encodes the persons of the --as user's agency through the persons service,
// which checks that the user may, and audits the run (linkage.encode) before it opens any
// identity. The CLK file (and the ids file) appear only once every person was encoded.
func encodeFromDB(ctx context.Context, c *CLI, db *dbConfig, enc *linkage.Encoder, o encodeDBOptions) error {
	// The features are checked before the database is opened: a schema the database cannot
	// fill is a usage error, and nothing is audited.
	if _, err := persons.LinkageColumns(enc.Schema()); err != nil {
		return usagef("%s: %v", o.schemaPath, err)
	}
	if _, err := db.kekPath(); err != nil {
		return err
	}
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	actor, u, err := userActor(ctx, a, o.as)
	if err != nil {
		return err
	}
	var roles []string
	for _, r := range access.IdentityRoles() {
		roles = append(roles, string(r))
	}
	notAllowed := usagef("the user %q may not encode persons for linkage: that needs a role that sees identities (%s)",
		u.Email, strings.Join(roles, ", "))
	if !access.CanEncodePersonsForLinkage(actor) {
		return notAllowed
	}
	if _, err := a.protect.ready(); err != nil {
		return err
	}
	out, commit, err := c.createOutput(o.out)
	if err != nil {
		return err
	}
	defer commit(false)
	var ids io.Writer
	commitIDs := func(bool) error { return nil }
	if o.idsOut != "" {
		if ids, commitIDs, err = c.createOutput(o.idsOut); err != nil {
			return err
		}
		defer commitIDs(false)
	}

	rows, err := a.protect.persons.OpenForLinkage(ctx, actor, persons.LinkageRequest{Schema: enc.Schema(), Fingerprint: o.fingerprint})
	if core.Is(err, core.Forbidden) {
		return notAllowed
	}
	if err != nil {
		return c.explain(err)
	}
	bar := c.newBar(c.showProgress(o.progress), int64(rows.Count), "encoding persons")
	// Drawn at once with the count, which is known before the first person is opened.
	bar.RenderBlank()
	n, err := linkage.EncodeRows(ctx, enc, rows, out, linkage.EncodeOptions{
		Workers:  o.workers,
		Progress: func(done int64) { bar.Set64(done) },
	})
	bar.Finish()
	if err != nil {
		var rowErr *linkage.RowError
		var ce *core.Error
		switch {
		case errors.As(err, &ce):
			return c.explain(err)
		case errors.As(err, &rowErr) && rowErr.Record >= 1 && rowErr.Record <= len(rows.IDs()):
			// The person is named by pseudonym, which is shown wherever an identity may not be.
			id := rows.IDs()[rowErr.Record-1]
			name := "id " + strconv.FormatInt(id, 10)
			if ps, err := a.protect.persons.Pseudonyms(ctx, []int64{id}); err == nil && ps[id] != "" {
				name = ps[id]
			}
			return usagef("person %s (CLK %d): %v; correct the person's record or the schema", name, rowErr.Record-1, rowErr.Err)
		case isIOError(err):
			return fmt.Errorf("%s: %w", o.out, err)
		}
		return err
	}
	if ids != nil {
		w := bufio.NewWriter(ids)
		var line []byte
		for _, id := range rows.IDs() {
			line = strconv.AppendInt(line[:0], id, 10)
			line = append(line, '\n')
			w.Write(line)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("%s: %w", o.idsOut, err)
		}
		if err := commitIDs(true); err != nil {
			return err
		}
	}
	if err := commit(true); err != nil {
		return err
	}
	fmt.Fprintf(c.Stderr, "encoded %d persons of %s's agency into %d-bit CLKs, in person id order; recorded in the audit chain (linkage.encode)\n",
		n, u.Email, enc.Schema().L)
	return nil
}

// isIOError tells a failure of the machine (disk, pipe) from a problem in the input.
func isIOError(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe) || errors.Is(err, io.ErrShortWrite) || errors.Is(err, context.Canceled)
}

// createOutput opens the output: standard output for "-", else a temporary file beside the
// target that commit(true) renames into place, so that a failed run never leaves a partial
// file that looks complete. commit(false) removes it.
func (c *CLI) createOutput(path string) (io.Writer, func(ok bool) error, error) {
	if path == "-" {
		return c.Stdout, func(bool) error { return nil }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, nil, fmt.Errorf("output: %w", err)
	}
	done := false
	commit := func(ok bool) error {
		if done {
			return nil
		}
		done = true
		if !ok {
			f.Close()
			os.Remove(f.Name())
			return nil
		}
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("output: %w", err)
		}
		if err := os.Rename(f.Name(), path); err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("output: %w", err)
		}
		return nil
	}
	return f, commit, nil
}

func runLinkageMatch(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("linkage match", "linkage match --threshold T A.json B.json [C.json ...] --out links.csv")
	threshold := fs.Float64("threshold", 0, "Dice similarity a pair needs to be linked, in (0, 1]")
	outPath := fs.String("out", "", "where to write the links as CSV ('-' for standard output)")
	workers := fs.Int("workers", 0, "comparing goroutines (0: one per CPU)")
	progress := fs.Bool("progress", false, "show a progress bar even when standard error is not a terminal")
	files, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if !(*threshold > 0 && *threshold <= 1) {
		return usagef("--threshold must be in (0, 1]")
	}
	if *outPath == "" {
		return usagef("--out is required")
	}
	if len(files) < 2 {
		return usagef("at least two CLK files are needed, one per party")
	}
	if *workers < 0 {
		return usagef("--workers must not be negative")
	}

	var sets []*linkage.CLKSet
	var blocks [][][]uint64
	nbits := 0
	for p, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return usagef("party %d: %v", p, err)
		}
		file, err := linkage.ReadCLKFile(bufio.NewReader(f), nbits)
		f.Close()
		if err != nil {
			return usagef("%s (party %d): %v", path, p, err)
		}
		if p == 0 {
			nbits = file.CLKs.Bits()
		}
		sets = append(sets, file.CLKs)
		blocks = append(blocks, file.Blocks)
	}
	withBlocks := 0
	for _, b := range blocks {
		if b != nil {
			withBlocks++
		}
	}
	if withBlocks > 0 && withBlocks < len(blocks) {
		return usagef("some files carry block keys (clknblocks) and some do not; all or none must")
	}
	if withBlocks == 0 {
		blocks = nil
	}

	var total int64
	for p := range sets {
		for q := p + 1; q < len(sets); q++ {
			total += int64(sets[p].Len()) * int64(sets[q].Len())
		}
	}
	bar := c.newBar(c.showProgress(*progress), total, "comparing")
	cands, err := linkage.FindCandidates(ctx, sets, *threshold, linkage.MatchOptions{
		Workers:  *workers,
		Blocks:   blocks,
		Progress: func(done, _ int64) { bar.Set64(done) },
	})
	bar.Finish()
	if err != nil {
		return err
	}
	groups := linkage.GreedySolve(cands)
	links := linkage.GroupLinks(cands, groups)

	out, commit, err := c.createOutput(*outPath)
	if err != nil {
		return err
	}
	defer commit(false)
	w := bufio.NewWriter(out)
	w.WriteString("party_a,row_a,party_b,row_b,similarity\n")
	var line []byte
	for _, l := range links {
		line = strconv.AppendInt(line[:0], int64(l.PartyA), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(l.RowA), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(l.PartyB), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(l.RowB), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, l.Sim, 'f', -1, 64)
		line = append(line, '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := commit(true); err != nil {
		return err
	}
	fmt.Fprintf(c.Stderr, "%d candidate pairs at threshold %g; %d groups, %d links\n", len(cands), *threshold, len(groups), len(links))
	return nil
}
