package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/lmittmann/tint"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootLong = `alter-mcp lets LLM agents (Claude Desktop, Cursor, agent frameworks) call AWS
without ever holding an AWS key. Keys live in an encrypted vault, an agent names
a grant, and every call is checked against that grant's policy, signed with
SigV4 inside the vault, sent, and written to a tamper-evident audit trail.

Without a command, alter-mcp serves MCP over stdio on the embedded default
store, as "alter-mcp serve" does: that is what Claude Desktop, Cursor and VS Code
start. "alter-mcp serve --help" tells about the HTTP transports.

Logs go to stderr only; stdout carries command output, or JSON-RPC when serving
stdio. Every flag can also be set with an environment variable named ALTER_MCP_
and the flag's name in upper snake case (--log-level: ALTER_MCP_LOG_LEVEL). A
flag on the command line wins over the environment; an empty variable counts as
unset.`

// envPrefix starts the environment variable of every flag.
const envPrefix = "ALTER_MCP_"

// newRootCmd is the root command with every subcommand.
func newRootCmd(a *app) *cobra.Command { return newRoot(a, "") }

// newRoot is the root command with every subcommand, or with the one named
// only alone (onlyCommand).
func newRoot(a *app, only string) *cobra.Command {
	root := &cobra.Command{
		Use:           "alter-mcp",
		Short:         "Let LLM agents call AWS without holding AWS keys",
		Long:          rootLong,
		Args:          usageArgs(cobra.NoArgs),
		SilenceErrors: true, // report prints errors, with the right exit status
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDefaultServe(cmd)
		},
	}
	// completion is a command of its own (completion.go), not cobra's
	// default, which would come without an environment variable.
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })

	pf := root.PersistentFlags()
	pf.Var(newEnum(&a.logFormat, "text", "text", "json"), "log-format", "log format on stderr: text (for people) or json (for machines)")
	pf.Var(newEnum(&a.logLevel, "info", "debug", "info", "warn", "error"), "log-level", "least severe level that is logged")

	for _, c := range subcommands {
		if only == "" || c.name == only {
			root.AddCommand(c.make(a))
		}
	}
	describeEnv(root)
	return root
}

// subcommands are the root's commands, by the name each is called by.
var subcommands = []struct {
	name string
	make func(*app) *cobra.Command
}{
	{"version", newVersionCmd}, {"sign", newSignCmd}, {"grant", newGrantCmd}, {"caller", newCallerCmd},
	{"doctor", newDoctorCmd}, {"serve", newServeCmd}, {"vault", newVaultCmd}, {"audit", newAuditCmd},
	{"token", newTokenCmd}, {"presign", newPresignCmd}, {"completion", newCompletionCmd},
	{"console", newConsoleCmd}, {"approvals", newApprovalsCmd}, {"approve", newApproveCmd}, {"reject", newRejectCmd},
}

// onlyCommand is the subcommand a command line names first, when building
// the root with that one alone behaves as the whole tree would: its name
// comes first, before any flag, and it is not completion, which describes
// the whole tree. Building every command and its flags was a tenth of
// `alter-mcp version`'s time (about 0.4 ms); TestOnlyCommandHelp checks
// that each command's help is the same either way.
func onlyCommand(args []string) string {
	if len(args) == 0 || args[0] == "completion" {
		return ""
	}
	for _, c := range subcommands {
		if c.name == args[0] {
			return c.name
		}
	}
	return ""
}

// setup runs before every command: it fills flags from the environment, then
// builds the logger.
func (a *app) setup(cmd *cobra.Command) error {
	if err := applyEnv(cmd.Flags(), a.getenv); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return usagef("--log-level: %v", err) // unreachable: the enum checked it
	}
	if a.logFormat == "json" {
		a.log = slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	} else {
		a.log = slog.New(tint.NewHandler(a.stderr, &tint.Options{
			Level:   level,
			NoColor: a.getenv("NO_COLOR") != "" || !isTerminal(a.stderr),
		}))
	}
	if a.setDefault {
		slog.SetDefault(a.log)
	}
	return nil
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// envName is the environment variable that backs the flag called name.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv gives every flag left off the command line the value of its
// environment variable, so the command line wins over the environment. A
// repeatable flag takes one value per line of its variable.
func applyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	var first error
	fs.VisitAll(func(f *pflag.Flag) {
		if first != nil || f.Changed || f.Name == "help" {
			return
		}
		name := envName(f.Name)
		v := getenv(name)
		if v == "" {
			return
		}
		var err error
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			err = sv.Replace(strings.Split(v, "\n"))
		} else {
			err = f.Value.Set(v)
		}
		if err != nil {
			first = usagef("invalid value for --%s from %s: %v", f.Name, name, err)
			return
		}
		f.Changed = true
	})
	return first
}

// describeEnv appends each flag's environment variable to its help text.
func describeEnv(root *cobra.Command) {
	seen := map[*pflag.Flag]bool{}
	note := func(f *pflag.Flag) {
		if !seen[f] {
			seen[f] = true
			f.Usage += " [$" + envName(f.Name) + "]"
		}
	}
	// Each command's own flag sets, as declared: LocalNonPersistentFlags
	// would merge its parents' into new sets, command by command, which
	// cost every run (even "version") about 0.3 ms.
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.PersistentFlags().VisitAll(note)
		c.Flags().VisitAll(note)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// enumValue is a string flag that accepts one of a fixed set of words.
type enumValue struct {
	p       *string
	allowed []string
}

func newEnum(p *string, def string, allowed ...string) *enumValue {
	*p = def
	return &enumValue{p: p, allowed: allowed}
}

func (e *enumValue) Set(s string) error {
	s = strings.ToLower(s)
	if !slices.Contains(e.allowed, s) {
		return fmt.Errorf("must be one of %s", strings.Join(e.allowed, ", "))
	}
	*e.p = s
	return nil
}

func (e *enumValue) String() string { return *e.p }
func (e *enumValue) Type() string   { return strings.Join(e.allowed, "|") }
