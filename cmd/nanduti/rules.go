package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"nanduti/internal/screening"
)

func init() {
	extraCommands = append(extraCommands, command{
		name:    "rules",
		summary: "list the screening rulebooks or show one (rules list | rules show ID)",
		run:     runRules,
	})
}

func runRules(ctx context.Context, c *CLI, args []string) error {
	if len(args) == 0 {
		return usagef("want a subcommand: list or show ID")
	}
	switch args[0] {
	case "list":
		return runRulesList(c, args[1:])
	case "show":
		return runRulesShow(c, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(c.Stdout, "Usage: nanduti rules list [--rules FILE] [--lang es|en]")
		fmt.Fprintln(c.Stdout, "       nanduti rules show [--rules FILE] [--lang es|en] [--format text|json] ID")
		return errHelp
	}
	return usagef("unknown subcommand %q (want list or show)", args[0])
}

func runRulesList(c *CLI, args []string) error {
	fs := c.newFlagSet("rules list", "rules list [--rules FILE] [--lang es|en]")
	rulesFile := fs.String("rules", "", "a deployment's rulebook `FILE` extending the embedded rules")
	langFlag := fs.String("lang", "es", "language of the titles: es or en")
	pos, err := parseInterspersed(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	lang, err := screening.ParseLang(*langFlag)
	if err != nil {
		return usagef("--lang: %v", err)
	}
	rb, err := loadRules(*rulesFile)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", rb.ID, rb.Version, rb.Title.In(lang))
	if rb.Extends != "" {
		fmt.Fprintf(&b, "  extends %s\n", rb.Extends)
	}
	for _, s := range rb.Summaries() {
		fmt.Fprintf(&b, "\n%-20s %s %s", s.Framework, s.Ref.ID, s.Ref.Version)
		if s.Ref.ModifiedBy != "" {
			fmt.Fprintf(&b, " (modified by %s)", s.Ref.ModifiedBy)
		}
		fmt.Fprintf(&b, "\n  %s\n  %s", s.Title.In(lang), s.Counts)
		if s.ToVerify > 0 {
			fmt.Fprintf(&b, "; %d to verify", s.ToVerify)
		}
		b.WriteString("\n")
	}
	_, err = fmt.Fprint(c.Stdout, b.String())
	return err
}

func runRulesShow(c *CLI, args []string) error {
	fs := c.newFlagSet("rules show", "rules show [--rules FILE] [--lang es|en] [--format text|json] ID")
	rulesFile := fs.String("rules", "", "a deployment's rulebook `FILE` extending the embedded rules")
	langFlag := fs.String("lang", "es", "language of the labels: es or en")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parseInterspersed(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one ID: the rulebook id, a framework (trafficking, forced_labour_ilo11, forced_labour_icls, child_labour) or a framework book id")
	}
	lang, err := screening.ParseLang(*langFlag)
	if err != nil {
		return usagef("--lang: %v", err)
	}
	if *format != "text" && *format != "json" {
		return usagef("--format: unknown format %q (want text or json)", *format)
	}
	rb, err := loadRules(*rulesFile)
	if err != nil {
		return err
	}
	id := pos[0]
	if id == rb.ID {
		if *format == "json" {
			return writeJSON(c, rb)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s: %s\n", rb.ID, rb.Version, rb.Title.In(lang))
		for _, h := range rb.Summaries() {
			fmt.Fprintf(&b, "  %s: %s %s\n", h.Framework, h.Ref.ID, h.Ref.Version)
		}
		b.WriteString("\nTo verify:\n")
		for _, v := range rb.ToVerify() {
			fmt.Fprintf(&b, "  %s %s [%s]: %s\n", v.Framework, v.Path, v.Source, v.Note.In(lang))
		}
		_, err := fmt.Fprint(c.Stdout, b.String())
		return err
	}
	book, ok := rb.Book(id)
	if !ok {
		return usagef("no rulebook or framework %q; see 'nanduti rules list'", id)
	}
	if *format == "json" {
		switch book.Framework {
		case screening.FrameworkTrafficking:
			return writeJSON(c, rb.Trafficking)
		case screening.FrameworkILO11:
			return writeJSON(c, rb.ILO11)
		case screening.FrameworkICLS:
			return writeJSON(c, rb.ICLS)
		default:
			return writeJSON(c, rb.ChildLabour)
		}
	}
	return rb.WriteBookText(c.Stdout, id, lang)
}

func writeJSON(c *CLI, v any) error {
	enc := json.NewEncoder(c.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
