// Command alter-mcp lets LLM agents call AWS without holding AWS keys.
//
// Each command lives in a file of its own and stays thin: it parses flags,
// calls a library package that does the work, and prints. Logs go to stderr
// only; stdout carries command output, or, for serve over stdio (the
// default when no command is given), the MCP transport and nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command was called wrongly: bad flag, value or argument
)

func main() {
	args := os.Args[1:]
	ctx, stop := context.Background(), context.CancelFunc(func() {})
	if handlesSignals(args) {
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	}
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, setDefault: true}
	code := a.run(ctx, args)
	stop()
	os.Exit(code)
}

// handlesSignals reports whether the command line args runs work that
// SIGINT and SIGTERM stop cleanly, by cancelling its context: every command
// but version, which prints only what the binary knows, and which a signal
// may end the default way. Installing the handlers (os/signal starts a
// goroutine on a thread of its own) was 0.5-0.8 ms of `alter-mcp version`
// on a machine of 2 vCPUs: 7.11 → 6.08 and 7.07 → 6.31 ms, the medians of
// two sets of interleaved rounds (8 and 10) of 30 runs, in a loud stretch.
func handlesSignals(args []string) bool { return onlyCommand(args) != "version" }

// app is one run of the program: where it reads and writes, and what the
// root command's flags configured. Tests build one with buffers and a fake
// environment, so they run in-process and in parallel.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// setDefault also installs the logger as slog's default, so library code
	// that logs through slog.Default writes to stderr in the chosen format.
	setDefault bool

	logFormat string
	logLevel  string
	log       *slog.Logger // set once the root command's flags are parsed
}

// run executes the command line args and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	root := newRoot(a, onlyCommand(args))
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	return a.report(cmd, err)
}

// report writes err to stderr and returns its exit status. Once logging is
// set up in JSON, the error is a JSON line too, so stderr stays machine-readable.
func (a *app) report(cmd *cobra.Command, err error) int {
	code := exitError
	var ue usageError
	if errors.As(err, &ue) {
		code = exitUsage
	}
	if a.log != nil && a.logFormat == "json" {
		a.log.Error("command failed", "command", cmd.CommandPath(), "error", err.Error(), "exit_code", code)
		return code
	}
	fmt.Fprintf(a.stderr, "Error: %v\n", err)
	if code == exitUsage {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// usageError marks a mistake in how the program was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// usageArgs makes the errors of a positional-argument check usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
