package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"nanduti/internal/core"
	"nanduti/internal/i18n"
	"nanduti/internal/training"
)

func init() {
	extraCommands = append(extraCommands,
		command{"training", "training of trainers: report", runTraining})
}

func runTraining(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "training", args, map[string]func(context.Context, []string) error{
		"report": func(ctx context.Context, args []string) error { return c.trainingReport(ctx, args) },
	})
}

// trainingReport writes the effect-in-the-field report, with the cascade's reach by
// generation, as CSV (the default), XLSX or PDF, to standard output or --out.
func (c *CLI) trainingReport(ctx context.Context, args []string) error {
	fs := c.newFlagSet("training report", "training report [--format csv|xlsx|pdf] [--out FILE] [--data DIR | --db postgres://...]")
	cfg := c.addDBFlags(fs, "nanduti-data")
	format := fs.String("format", "csv", "output format: csv, xlsx or pdf")
	out := fs.String("out", "", "write to FILE instead of standard output")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var write func(io.Writer, *training.Report, training.Translate) error
	switch *format {
	case "csv":
		write = training.WriteReportCSV
	case "xlsx":
		write = training.WriteReportXLSX
	case "pdf":
		write = training.WriteReportPDF
	default:
		return usagef("--format must be csv, xlsx or pdf, not %q", *format)
	}
	if *out == "" && *format != "csv" {
		return usagef("--format %s writes a binary file: name it with --out FILE", *format)
	}
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.training.Report(ctx, core.SystemActor)
	if err != nil {
		return c.explain(err)
	}
	lang := c.cliLang()
	var buf bytes.Buffer
	if err := write(&buf, rep, func(key string, args ...any) string { return i18n.T(lang, key, args...) }); err != nil {
		return err
	}
	if *out == "" {
		_, err = c.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(c.Stderr, "%s\n", *out)
	return nil
}
