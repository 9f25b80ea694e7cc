package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/stats/analysis"
)

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func runStatsImportCTDC(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("stats import-ctdc", "stats import-ctdc --name NAME [--data DIR | --db URL] FILE")
	db := c.addDBFlags(fs, "nanduti-data")
	name := fs.String("name", "", "the dataset's name; importing again under the same name replaces the dataset at once")
	progress := fs.Bool("progress", false, "show a progress bar even when standard error is not a terminal")
	rest, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 1:
		return usagef("name one CTDC file to import (- for standard input)")
	case strings.TrimSpace(*name) == "":
		return usagef("--name is required: the name analysts will choose the dataset by")
	}
	in, fileName, size := io.Reader(c.Stdin), "standard-input.csv", int64(-1)
	if rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return usagef("%v", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		in, fileName = f, filepath.Base(rest[0])
	}
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	counted := &countingReader{r: in}
	bar := c.newBar(c.showProgress(*progress), size, "importing")
	d, err := statsService(a).ImportCTDC(ctx, core.SystemActor, *name, fileName, counted, func(int64) { bar.Set64(counted.n) })
	bar.Finish()
	if err != nil {
		return c.explain(err)
	}
	fmt.Fprintf(c.Stdout, "dataset %q (id %d): %d records, layout %s, shared with every agency\n", d.Name, d.ID, d.Rows, d.Layout)
	return nil
}

// statsService is the statistics service of the wired application.
func statsService(a *app) *analysis.Service { return a.stats }

func runStatsDatasets(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("stats datasets", "stats datasets [--data DIR | --db URL]")
	db := c.addDBFlags(fs, "nanduti-data")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := statsService(a).Datasets(ctx, core.SystemActor)
	if err != nil {
		return c.explain(err)
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tOWNER\tRECORDS\tLAYOUT\tFILE\tIMPORTED")
	for _, d := range list {
		owner := "shared"
		if d.AgencyID != 0 {
			owner = "agency " + strconv.FormatInt(d.AgencyID, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID, d.Name, owner, d.Rows, d.Layout, d.FileName,
			d.ImportedAt.Format("2006-01-02 15:04 UTC"))
	}
	return tw.Flush()
}

func runStatsReport(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("stats report", "stats report --year YEAR --source dataset:NAME|db|db:presumed [--as EMAIL] [--threshold K] [--lang es|en] --out report.pdf")
	db := c.addDBFlags(fs, "nanduti-data")
	year := fs.Int("year", 0, "the year the report is about (the trend runs up to it)")
	source := fs.String("source", "", "dataset:NAME (an imported CTDC dataset), db (the case database: identified victims) or db:presumed (presumed victims)")
	as := fs.String("as", "", "with --source db: report on the cases this user (email) may count; without it the system actor counts every agency's cases")
	threshold := fs.Int("threshold", stats.DefaultThreshold, "disclosure threshold K (at least 3): counts 1..K-1 show as <K")
	lang := fs.String("lang", c.cliLang(), "language of the report: es or en")
	out := fs.String("out", "", "the PDF file to write")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *year == 0:
		return usagef("--year is required, as in --year 2026")
	case *out == "":
		return usagef("--out is required: the PDF file to write")
	case *source == "":
		return usagef("--source is required: dataset:NAME or db")
	case *threshold < analysis.MinThreshold || *threshold > analysis.MaxThreshold:
		return usagef("--threshold must be between %d and %d", analysis.MinThreshold, analysis.MaxThreshold)
	case *lang != "es" && *lang != "en":
		return usagef("--lang must be es or en")
	}
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	svc := statsService(a)
	actor := core.SystemActor
	if kind, _, _ := strings.Cut(*source, ":"); kind == "db" {
		if actor, _, err = statsActor(ctx, a, *as); err != nil {
			return err
		}
	} else if *as != "" {
		return usagef("--as applies to --source db only")
	}
	req := analysis.ReportRequest{Year: *year, Lang: *lang,
		Request: analysis.Request{Threshold: *threshold, Params: []string{"source", "threshold"}}}
	kind, arg, _ := strings.Cut(*source, ":")
	switch kind {
	case "db":
		if req.Source, err = caseSource(arg); err != nil {
			return err
		}
	case "dataset":
		d, err := svc.DatasetByName(ctx, core.SystemActor, arg)
		if core.Is(err, core.NotFound) {
			return usagef("no dataset is called %q; 'nanduti stats datasets' lists them", arg)
		}
		if err != nil {
			return err
		}
		req.Source = analysis.DatasetSource(d.ID)
	default:
		return usagef("unknown --source %q; use dataset:NAME, db or db:presumed", *source)
	}
	var buf strings.Builder
	if err := svc.Report(ctx, actor, req, &buf); err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return c.explain(err)
		}
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".nanduti-report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.WriteString(tmp, buf.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(c.Stderr, "wrote %s (%d bytes)\n", *out, buf.Len())
	return nil
}
