// Command nanduti is the whole of Ñandutí in one binary: the web application, the JSON API,
// the command line, the migrations, the templates and the static files.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// CLI carries what every subcommand needs from the process: its streams and environment.
// Tests build one with buffers instead of the real streams.
type CLI struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string

	usages map[*flag.FlagSet]func()
}

// command is one subcommand. run returns an error; a *usageError exits 2, any other error 1.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *CLI, args []string) error
}

// usageError marks a mistake in how the command was called (unknown flag, missing argument,
// bad value): the process exits 2 and the message says what to fix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef builds a usageError.
func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// errHelp is returned when -h/--help was asked for: usage was printed and the exit code is 0.
var errHelp = flag.ErrHelp

func commands() []command {
	cmds := []command{
		{"version", "print the version", runVersion},
	}
	cmds = append(cmds, extraCommands...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// extraCommands is extended by the files that define further subcommands (one file each).
var extraCommands []command

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	c := &CLI{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	code := c.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Run runs the subcommand named by args[0] and returns the process exit code.
func (c *CLI) Run(ctx context.Context, args []string) int {
	if c.usages == nil {
		c.usages = map[*flag.FlagSet]func(){}
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		c.printUsage(c.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			return c.exitCode(cmd.name, cmd.run(ctx, c, args[1:]))
		}
	}
	fmt.Fprintf(c.Stderr, "nanduti: unknown command %q\n\n", args[0])
	c.printUsage(c.Stderr)
	return 2
}

func (c *CLI) exitCode(name string, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(c.Stderr, "nanduti %s: %s\n", name, ue.msg)
		fmt.Fprintf(c.Stderr, "Run 'nanduti %s --help' for usage.\n", name)
		return 2
	default:
		fmt.Fprintf(c.Stderr, "nanduti %s: %v\n", name, err)
		return 1
	}
}

func (c *CLI) printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: nanduti COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nRun 'nanduti COMMAND --help' for a command's flags.")
}

// newFlagSet returns a FlagSet that reports errors instead of exiting, prints its usage to
// the CLI's standard output when asked for --help, and names the command in that usage.
func (c *CLI) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("nanduti "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// flag calls Usage on every parse error too; parseFlags prints it only for --help.
	fs.Usage = func() {}
	c.usages[fs] = func() {
		fmt.Fprintf(c.Stdout, "Usage: nanduti %s\n\n", usage)
		fs.SetOutput(c.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors; --help prints usage and
// returns errHelp.
func (c *CLI) parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usages[fs]()
			return errHelp
		}
		return usagef("%s", strings.TrimSpace(err.Error()))
	}
	return nil
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("version", "version")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintf(c.Stdout, "nanduti %s\n", version)
	return nil
}
