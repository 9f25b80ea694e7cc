package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"nanduti/internal/accounts"
	"nanduti/internal/core"
)

func init() {
	extraCommands = append(extraCommands,
		command{"migrate", "apply the database migrations", runMigrate},
		command{"user", "manage users: add, list, disable, enable, reset-password, reset-2fa", runUser},
		command{"agency", "manage agencies: add, list", runAgency},
		command{"token", "manage API tokens: create, revoke", runToken},
		command{"audit", "check the audit chain: verify", runAudit},
	)
}

// subcommand dispatches "nanduti NAME SUB ..." to one of subs.
func (c *CLI) subcommand(ctx context.Context, name string, args []string, subs map[string]func(context.Context, []string) error) error {
	var names []string
	for k := range subs {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(c.Stdout, "Usage: nanduti %s {%s} [flags]\n", name, strings.Join(names, "|"))
		if len(args) == 0 {
			return usagef("missing subcommand: one of %s", strings.Join(names, ", "))
		}
		return errHelp
	}
	fn, ok := subs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q: one of %s", args[0], strings.Join(names, ", "))
	}
	return fn(ctx, args[1:])
}

func noArgs(fs interface {
	NArg() int
	Arg(int) string
}) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func runMigrate(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("migrate", "migrate [--data DIR | --db postgres://...]")
	db := c.addDBFlags(fs, "nanduti-data")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	dsn, err := db.resolve()
	if err != nil {
		return err
	}
	a, err := openAppNoMigrate(ctx, dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "applied %d migration(s) on %s\n", n, a.Engine())
	return nil
}

// readSecret reads one line from standard input, for --password-stdin.
func (c *CLI) readSecret() (string, error) {
	line, err := bufio.NewReader(c.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func parseRoles(s string) ([]core.Role, error) {
	var roles []core.Role
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, ok := core.ParseRole(part)
		if !ok {
			var all []string
			for _, r := range core.AllRoles {
				all = append(all, string(r))
			}
			return nil, usagef("unknown role %q: use one or more of %s", part, strings.Join(all, ", "))
		}
		roles = append(roles, r)
	}
	if len(roles) == 0 {
		return nil, usagef("--role is required (comma-separated)")
	}
	return roles, nil
}

func checkFormat(format string) error {
	if format != "text" && format != "json" {
		return usagef("--format must be text or json (got %q)", format)
	}
	return nil
}

func runUser(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "user", args, map[string]func(context.Context, []string) error{
		"add": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("user add", "user add --email EMAIL --name NAME --agency CODE --role ROLE[,ROLE] [--password-stdin]")
			db := c.addDBFlags(fs, "nanduti-data")
			email := fs.String("email", "", "the user's email address (their login)")
			name := fs.String("name", "", "the user's full name")
			agency := fs.String("agency", "", "the code of the user's agency")
			role := fs.String("role", "", "comma-separated roles: "+rolesList())
			stdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
			if err := c.parseFlags(fs, args); err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			roles, err := parseRoles(*role)
			if err != nil {
				return err
			}
			if *agency == "" {
				return usagef("--agency is required (see 'nanduti agency list')")
			}
			password := ""
			if *stdin {
				if password, err = c.readSecret(); err != nil {
					return err
				}
			} else {
				password = accounts.RandomPassword()
			}
			return c.withApp(ctx, db, func(a *app) error {
				ag, err := a.accounts.AgencyByCode(ctx, core.SystemActor, *agency)
				if core.Is(err, core.NotFound) {
					return usagef("no agency has the code %q (see 'nanduti agency list')", *agency)
				}
				if err != nil {
					return err
				}
				u, err := a.accounts.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: ag.ID, Email: *email,
					Name: *name, Roles: roles, Password: password})
				if err != nil {
					return c.explain(err)
				}
				fmt.Fprintf(c.Stdout, "created user %d %s\n", u.ID, u.Email)
				if !*stdin {
					fmt.Fprintf(c.Stdout, "initial password: %s\n", password)
				}
				return nil
			})
		},
		"list": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("user list", "user list [--agency CODE] [--format text|json]")
			db := c.addDBFlags(fs, "nanduti-data")
			agency := fs.String("agency", "", "only this agency's users")
			format := fs.String("format", "text", "text (one user a line) or json")
			if err := c.parseFlags(fs, args); err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			if err := checkFormat(*format); err != nil {
				return err
			}
			return c.withApp(ctx, db, func(a *app) error {
				users, err := a.accounts.ListUsers(ctx, core.SystemActor)
				if err != nil {
					return err
				}
				agencies, err := a.accounts.ListAgencies(ctx, core.SystemActor)
				if err != nil {
					return err
				}
				codes := map[int64]string{}
				for _, ag := range agencies {
					codes[ag.ID] = ag.Code
				}
				if *agency != "" && !slices.Contains(mapValues(codes), strings.ToUpper(*agency)) {
					return usagef("no agency has the code %q (see 'nanduti agency list')", *agency)
				}
				type row struct {
					ID       int64       `json:"id"`
					Email    string      `json:"email"`
					Name     string      `json:"name"`
					Agency   string      `json:"agency"`
					Roles    []core.Role `json:"roles"`
					Disabled bool        `json:"disabled"`
					TOTP     bool        `json:"totp_enrolled"`
				}
				rows := []row{}
				for _, u := range users {
					if *agency != "" && codes[u.AgencyID] != strings.ToUpper(*agency) {
						continue
					}
					rows = append(rows, row{u.ID, u.Email, u.Name, codes[u.AgencyID], u.Roles, u.Disabled, u.TOTPEnrolled})
				}
				if *format == "json" {
					enc := json.NewEncoder(c.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rows)
				}
				for _, r := range rows {
					roles := make([]string, len(r.Roles))
					for i, x := range r.Roles {
						roles[i] = string(x)
					}
					status := ""
					if r.Disabled {
						status = "\tdisabled"
					}
					fmt.Fprintf(c.Stdout, "%s\t%s\t%s%s\n", r.Email, r.Agency, strings.Join(roles, ","), status)
				}
				return nil
			})
		},
		"disable": c.userByEmail("disable", "disable a user; their sessions end at once", func(ctx context.Context, a *app, u core.User) (string, error) {
			return "disabled", a.accounts.SetDisabled(ctx, core.SystemActor, u.ID, true)
		}),
		"enable": c.userByEmail("enable", "enable a disabled user", func(ctx context.Context, a *app, u core.User) (string, error) {
			return "enabled", a.accounts.SetDisabled(ctx, core.SystemActor, u.ID, false)
		}),
		"reset-2fa": c.userByEmail("reset-2fa", "remove a user's second factor (lost phone); they enrol again at next sign-in", func(ctx context.Context, a *app, u core.User) (string, error) {
			return "second factor reset for", a.accounts.ResetSecondFactor(ctx, core.SystemActor, u.ID)
		}),
		"reset-password": c.resetPassword,
	})
}

func mapValues(m map[int64]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func rolesList() string {
	s := make([]string, len(core.AllRoles))
	for i, r := range core.AllRoles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// userByEmail builds a "user SUB --email EMAIL" command that applies fn to the user.
func (c *CLI) userByEmail(sub, help string, fn func(context.Context, *app, core.User) (string, error)) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		fs := c.newFlagSet("user "+sub, "user "+sub+" --email EMAIL\n\n"+help)
		db := c.addDBFlags(fs, "nanduti-data")
		email := fs.String("email", "", "the user's email address")
		if err := c.parseFlags(fs, args); err != nil {
			return err
		}
		if err := noArgs(fs); err != nil {
			return err
		}
		if *email == "" {
			return usagef("--email is required")
		}
		return c.withApp(ctx, db, func(a *app) error {
			u, err := a.accounts.UserByEmail(ctx, core.SystemActor, *email)
			if core.Is(err, core.NotFound) {
				return fmt.Errorf("no user has the email %q", accounts.NormaliseEmail(*email))
			}
			if err != nil {
				return err
			}
			done, err := fn(ctx, a, u)
			if err != nil {
				return c.explain(err)
			}
			fmt.Fprintf(c.Stdout, "%s %s\n", done, u.Email)
			return nil
		})
	}
}

func (c *CLI) resetPassword(ctx context.Context, args []string) error {
	fs := c.newFlagSet("user reset-password", "user reset-password --email EMAIL [--password-stdin]")
	db := c.addDBFlags(fs, "nanduti-data")
	email := fs.String("email", "", "the user's email address")
	stdin := fs.Bool("password-stdin", false, "read the new password from standard input instead of generating one")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *email == "" {
		return usagef("--email is required")
	}
	password := accounts.RandomPassword()
	if *stdin {
		var err error
		if password, err = c.readSecret(); err != nil {
			return err
		}
	}
	return c.withApp(ctx, db, func(a *app) error {
		u, err := a.accounts.UserByEmail(ctx, core.SystemActor, *email)
		if core.Is(err, core.NotFound) {
			return fmt.Errorf("no user has the email %q", accounts.NormaliseEmail(*email))
		}
		if err != nil {
			return err
		}
		if err := a.accounts.ResetPassword(ctx, core.SystemActor, u.ID, password); err != nil {
			return c.explain(err)
		}
		fmt.Fprintf(c.Stdout, "password reset for %s; their sessions have ended\n", u.Email)
		if !*stdin {
			fmt.Fprintf(c.Stdout, "new password: %s\n", password)
		}
		return nil
	})
}

// withApp opens the system for one command and closes it afterwards.
func (c *CLI) withApp(ctx context.Context, db *dbConfig, fn func(*app) error) error {
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func runAgency(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "agency", args, map[string]func(context.Context, []string) error{
		"add": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("agency add", "agency add --code CODE --name NAME --kind KIND [--task-force NAME]")
			db := c.addDBFlags(fs, "nanduti-data")
			code := fs.String("code", "", "short unique code, 2-16 capitals, digits or hyphens (PN, MTESS)")
			name := fs.String("name", "", "the agency's name")
			kinds := make([]string, len(core.AgencyKinds))
			for i, k := range core.AgencyKinds {
				kinds[i] = string(k)
			}
			kind := fs.String("kind", "", "one of "+strings.Join(kinds, ", "))
			tfName := fs.String("task-force", "", "the task force (created if it does not exist; optional when there is exactly one)")
			if err := c.parseFlags(fs, args); err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			if !slices.Contains(kinds, *kind) {
				return usagef("--kind must be one of %s (got %q)", strings.Join(kinds, ", "), *kind)
			}
			return c.withApp(ctx, db, func(a *app) error {
				var tfID int64
				if *tfName != "" {
					tf, err := a.accounts.EnsureTaskForce(ctx, core.SystemActor, *tfName, "")
					if err != nil {
						return c.explain(err)
					}
					tfID = tf.ID
				}
				ag, err := a.accounts.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tfID, Code: *code,
					Name: *name, Kind: core.AgencyKind(*kind)})
				if err != nil {
					return c.explain(err)
				}
				fmt.Fprintf(c.Stdout, "created agency %d %s\n", ag.ID, ag.Code)
				return nil
			})
		},
		"list": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("agency list", "agency list [--format text|json]")
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
			return c.withApp(ctx, db, func(a *app) error {
				list, err := a.accounts.ListAgencies(ctx, core.SystemActor)
				if err != nil {
					return err
				}
				if *format == "json" {
					type row struct {
						ID   int64  `json:"id"`
						Code string `json:"code"`
						Name string `json:"name"`
						Kind string `json:"kind"`
					}
					rows := []row{}
					for _, ag := range list {
						rows = append(rows, row{ag.ID, ag.Code, ag.Name, string(ag.Kind)})
					}
					enc := json.NewEncoder(c.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rows)
				}
				tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
				for _, ag := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", ag.Code, ag.Kind, ag.Name)
				}
				return tw.Flush()
			})
		},
	})
}

func runToken(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "token", args, map[string]func(context.Context, []string) error{
		"create": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("token create", "token create --user EMAIL [--name NAME]\n\nPrints the new token alone on standard output; it is not stored and cannot be shown again.")
			db := c.addDBFlags(fs, "nanduti-data")
			user := fs.String("user", "", "email of the user the token acts as")
			name := fs.String("name", "command line", "what the token is for")
			if err := c.parseFlags(fs, args); err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			if *user == "" {
				return usagef("--user is required")
			}
			return c.withApp(ctx, db, func(a *app) error {
				plain, _, err := a.accounts.CreateTokenFor(ctx, core.SystemActor, *user, *name)
				if core.Is(err, core.NotFound) {
					return fmt.Errorf("no user has the email %q", accounts.NormaliseEmail(*user))
				}
				if err != nil {
					return c.explain(err)
				}
				fmt.Fprintln(c.Stdout, plain)
				return nil
			})
		},
		"revoke": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("token revoke", "token revoke --id N")
			db := c.addDBFlags(fs, "nanduti-data")
			id := fs.String("id", "", "the token's id (shown on the account page and by GET /api/v1/tokens)")
			if err := c.parseFlags(fs, args); err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			n, err := strconv.ParseInt(*id, 10, 64)
			if err != nil || n <= 0 {
				return usagef("--id must be a positive number (got %q)", *id)
			}
			return c.withApp(ctx, db, func(a *app) error {
				err := a.accounts.RevokeTokenByID(ctx, core.SystemActor, n)
				if core.Is(err, core.NotFound) {
					return fmt.Errorf("no active token has the id %d", n)
				}
				if err != nil {
					return c.explain(err)
				}
				fmt.Fprintf(c.Stdout, "revoked token %d\n", n)
				return nil
			})
		},
	})
}

func runAudit(ctx context.Context, c *CLI, args []string) error {
	return c.subcommand(ctx, "audit", args, map[string]func(context.Context, []string) error{
		"verify": func(ctx context.Context, args []string) error {
			fs := c.newFlagSet("audit verify", "audit verify [--expect-head HASH]\n\nRecomputes the whole audit chain; exits 1 naming the first broken row.")
			db := c.addDBFlags(fs, "nanduti-data")
			head := fs.String("expect-head", "", "the head hash recorded at an earlier verification; detects removal of the newest rows")
			if err := c.parseFlags(fs, args); err != nil {
				return err
			}
			if err := noArgs(fs); err != nil {
				return err
			}
			return c.withApp(ctx, db, func(a *app) error {
				rep, err := a.audit.Verify(ctx, core.SystemActor)
				if err != nil {
					return err
				}
				if rep.Break != nil {
					return fmt.Errorf("audit chain BROKEN at row %d: %s (%d rows intact before it)", rep.Break.Seq, rep.Break.Reason, rep.Rows)
				}
				fmt.Fprintf(c.Stdout, "audit chain intact: %d rows, head %s\n", rep.Rows, rep.Head)
				if *head != "" && *head != rep.Head {
					return fmt.Errorf("the head hash is not the expected one: rows after the expected head were removed or the chain was rewritten")
				}
				return nil
			})
		},
	})
}
