package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"nanduti/internal/stats"
	"nanduti/internal/stats/ctdc"
)

func init() {
	extraCommands = append(extraCommands, command{"stats", "official statistics: tables, CTDC analysis datasets, PDF report", runStats})
}

// statsSubcommands are the verbs of "nanduti stats".
var statsSubcommands = map[string]func(ctx context.Context, c *CLI, args []string) error{
	"table":       runStatsTable,
	"import-ctdc": runStatsImportCTDC,
	"datasets":    runStatsDatasets,
	"report":      runStatsReport,
	"cases":       runStatsCases,
}

const statsUsage = `Usage: nanduti stats SUBCOMMAND [flags]

Subcommands:
  table         count victims by dimensions, with disclosure control
  import-ctdc   import a published CTDC file as an analysis dataset
  datasets      list the analysis datasets
  report        write the PDF report of a year
  cases         investigations, prosecutions, convictions and referrals from the case database`

func runStats(ctx context.Context, c *CLI, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(c.Stdout, statsUsage)
		if len(args) == 0 {
			return usagef("name a subcommand: table, import-ctdc, datasets or report")
		}
		return errHelp
	}
	run, ok := statsSubcommands[args[0]]
	if !ok {
		return usagef("unknown stats subcommand %q; use table, import-ctdc, datasets or report", args[0])
	}
	return run(ctx, c, args[1:])
}

// statsSource is one kind of record source for tables. Each opens a stats.Source from the
// argument after "kind:"; public marks already anonymised open data, for which disclosure
// control may be switched off to reproduce the publisher's exact counts.
type statsSource struct {
	usage  string
	public bool
	open   func(c *CLI, arg string) (stats.Source, string, error)
}

// statsSources are the record sources by kind. The case database ("db", "db:presumed") is
// not opened here: it is counted through the statistics service, which applies the user's
// scope and audits the export (see runStatsTableDB).
var statsSources = map[string]statsSource{
	"ctdc": {usage: "ctdc:FILE (a CTDC open-data CSV file, - for standard input)", public: true,
		open: func(c *CLI, arg string) (stats.Source, string, error) {
			if arg == "" {
				return nil, "", usagef("--source ctdc: needs a file name, as in --source ctdc:data.csv")
			}
			if arg == "-" {
				return &ctdc.Source{Name: "standard input", Open: func() (io.ReadCloser, error) {
					return io.NopCloser(c.Stdin), nil
				}}, "CTDC file on standard input", nil
			}
			return ctdc.FileSource(arg), "CTDC file " + filepath.Base(arg), nil
		}},
	"db": {usage: "db (the case database: identified victims, each person once) or db:presumed (presumed victims)"},
}

func sourceUsage() string {
	var kinds []string
	for _, s := range statsSources {
		kinds = append(kinds, s.usage)
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ", ")
}

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func runStatsTable(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("stats table", "stats table --source ctdc:FILE|db|db:presumed --by DIM[,DIM...] [--filter DIM=VALUE[|VALUE],...] [--format csv|xlsx|json] [--suppress K] [--out FILE] [--as EMAIL] [--data DIR | --db URL]")
	source := fs.String("source", "", "where the records come from: "+sourceUsage())
	dbCfg := c.addDBFlags(fs, "nanduti-data")
	as := fs.String("as", "", "with --source db: count the cases this user (email) may count (their agency's own and shared cases; every agency's for a system administrator); without it the system actor counts every agency's cases")
	by := fs.String("by", "", "dimensions to count by, comma-separated: "+strings.Join(stats.DimensionNames(), ", "))
	var filters repeated
	fs.Var(&filters, "filter", "keep only matching records: DIM=VALUE[|VALUE...], ranges for year and department (year=2015..2018); comma-separated or repeated")
	format := fs.String("format", "csv", "output format: "+strings.Join(stats.Formats, ", "))
	suppress := fs.Int("suppress", stats.DefaultThreshold, "disclosure threshold K: counts 1..K-1 show as <K, with complementary suppression; 0 switches it off (open-data sources only)")
	out := fs.String("out", "", "write to this file instead of standard output")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *source == "" {
		return usagef("--source is required: %s", sourceUsage())
	}
	kind, arg, _ := strings.Cut(*source, ":")
	src, ok := statsSources[kind]
	if !ok {
		return usagef("unknown --source %q; use %s", *source, sourceUsage())
	}
	if *by == "" {
		return usagef("--by is required: name one or more of %s", strings.Join(stats.DimensionNames(), ", "))
	}
	var names []string
	seen := map[string]string{}
	for _, n := range strings.Split(*by, ",") {
		n = strings.TrimSpace(n)
		d, err := stats.LookupDimension(n)
		if err != nil {
			return usagef("--by: %v", err)
		}
		if seen[d.Key] != "" {
			return usagef("--by: %s and %s are the same dimension (%s); name it once", seen[d.Key], n, d.Key)
		}
		seen[d.Key] = n
		names = append(names, n)
	}
	var flt []*stats.Filter
	for _, f := range filters {
		parsed, err := stats.ParseFilters(f)
		if err != nil {
			return usagef("--filter: %v", err)
		}
		flt = append(flt, parsed...)
	}
	if !slices.Contains(stats.Formats, *format) {
		return usagef("unknown --format %q; use %s", *format, strings.Join(stats.Formats, ", "))
	}
	switch {
	case *suppress == 0 && !src.public:
		return usagef("--suppress 0 is allowed only for open-data sources; the %s source is always disclosure-controlled", kind)
	case *suppress != 0 && *suppress < 3:
		return usagef("--suppress %d is too small: use at least 3 (with 2, \"<2\" would reveal a count of 1), or 0 for none", *suppress)
	}
	if kind == "db" {
		return runStatsTableDB(ctx, c, dbCfg, *as, arg, names, flt, *format, *suppress, *out)
	}
	if *as != "" {
		return usagef("--as applies to --source db only: a CTDC file is counted as it is")
	}
	records, describe, err := src.open(c, arg)
	if err != nil {
		return err
	}
	res, err := stats.Tabulate(ctx, records, stats.Query{By: names, Filters: flt})
	if err != nil {
		var ce *ctdc.Error
		if errors.As(err, &ce) || errors.Is(err, os.ErrNotExist) {
			return usagef("%v", err)
		}
		return err
	}
	protected, err := stats.Protect(res.Table, *suppress)
	if err != nil {
		if errors.Is(err, stats.ErrUnprotectable) {
			return usagef("%v", err)
		}
		return err
	}
	doc := &stats.Document{Title: "Victims by " + strings.Join(names, ", "), Source: describe,
		Read: res.Read, Counted: res.Matched, Table: protected}
	if cs, ok := records.(*ctdc.Source); ok {
		doc.Source += " (" + cs.Layout.String() + ")"
	}
	for _, f := range flt {
		doc.Filters = append(doc.Filters, f.String())
	}
	if err := writeStatsOutput(c, *out, *format, doc); err != nil {
		return err
	}
	md := protected.Metadata()
	fmt.Fprintf(c.Stderr, "read %d records, counted %d; threshold %d: %d small and %d complementary cells withheld\n",
		res.Read, res.Matched, md.Threshold, md.PrimarySuppressed, md.SecondarySuppressed)
	return nil
}

// writeStatsOutput writes to standard output or to a file that appears only once complete,
// so that an interrupted export never leaves half a table behind.
func writeStatsOutput(c *CLI, out, format string, doc *stats.Document) error {
	if out == "" {
		return stats.Write(c.Stdout, format, doc)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".nanduti-stats-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := stats.Write(tmp, format, doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
