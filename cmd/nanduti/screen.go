package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"nanduti/internal/screening"
)

func init() {
	extraCommands = append(extraCommands, command{
		name:    "screen",
		summary: "screen an observed situation against the trafficking, forced- and child-labour rules",
		run:     runScreen,
	})
}

func runScreen(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("screen", "screen [--lang es|en] [--format text|json] [--rules FILE] FILE|-")
	langFlag := fs.String("lang", "es", "language of the explanation: es or en")
	format := fs.String("format", "text", "output format: text or json")
	rulesFile := fs.String("rules", "", "a deployment's rulebook `FILE` extending the embedded rules")
	pos, err := parseInterspersed(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one input document: a FILE, or - for standard input")
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
	name := pos[0]
	data, err := readInput(c, name)
	if err != nil {
		return err
	}
	in, err := rb.ParseInput(data)
	if err != nil {
		return inputUsageError(name, err)
	}
	res := rb.Screen(in, lang)
	if *format == "json" {
		return res.WriteJSON(c.Stdout)
	}
	return res.WriteText(c.Stdout)
}

// parseInterspersed parses flags wherever they appear among the arguments, so that
// "screen case.json --lang en" works as well as "screen --lang en case.json", and returns the
// positional arguments in order.
func parseInterspersed(c *CLI, fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := c.parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadRules returns the embedded rulebook, or the embedded one extended by a deployment's file.
// A malformed file is bad input (exit 2) and the message gives its file, line and reason.
func loadRules(file string) (*screening.Rulebook, error) {
	if file == "" {
		return screening.Embedded()
	}
	rb, err := screening.LoadFile(file)
	var one *screening.RulebookError
	var many screening.RulebookErrors
	var pathErr *os.PathError
	switch {
	case err == nil:
		return rb, nil
	case errors.As(err, &many):
		return nil, usagef("--rules: the rulebook is not valid:\n  %s", strings.ReplaceAll(many.Error(), "\n", "\n  "))
	case errors.As(err, &one):
		return nil, usagef("--rules: the rulebook is not valid:\n  %s", one.Error())
	case errors.As(err, &pathErr):
		return nil, usagef("--rules: cannot read %s: %v", file, pathErr.Err)
	default:
		return nil, err
	}
}

// readInput reads the document named on the command line, refusing anything far larger than
// a screening could be.
func readInput(c *CLI, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = c.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			var pathErr *os.PathError
			if errors.As(err, &pathErr) {
				return nil, usagef("cannot read %s: %v", name, pathErr.Err)
			}
			return nil, err
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return nil, usagef("no standard input to read")
	}
	data, err := io.ReadAll(io.LimitReader(r, screening.MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, nil
}

// inputUsageError turns the engine's input errors into a usage error (exit 2) listing every
// offending field.
func inputUsageError(name string, err error) error {
	var errs screening.InputErrors
	if !errors.As(err, &errs) {
		return err
	}
	if name == "-" {
		name = "standard input"
	}
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = "  " + e.Error()
	}
	return usagef("invalid input document (%s):\n%s", name, strings.Join(lines, "\n"))
}
