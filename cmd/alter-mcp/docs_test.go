package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestConfigurationDocListsEveryFlag keeps docs/configuration.md, the one
// place flags and environment variables are documented, in step with the code.
func TestConfigurationDocListsEveryFlag(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			for _, want := range []string{"`--" + f.Name, "`" + envName(f.Name) + "`"} {
				if !strings.Contains(string(doc), want) {
					t.Errorf("docs/configuration.md does not document %s (flag of %q)", want, c.CommandPath())
				}
			}
		}
		c.PersistentFlags().VisitAll(check)
		c.LocalNonPersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{getenv: func(string) string { return "" }}))
}

// TestReadmeCommands checks that the README opens with the two commands a
// newcomer needs, and that CI runs the README's test command as written.
func TestReadmeCommands(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no code block")
	}
	want := "go run ./cmd/alter-mcp\ngo test -race ./...\n"
	if string(block[1]) != want {
		t.Errorf("README.md's first code block is\n%s\nwant\n%s", block[1], want)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^go test -race \./\.\.\.$`).Match(ci) {
		t.Errorf(".ci/run does not run the README's test command %q on a line of its own", "go test -race ./...")
	}
}

// TestHelpNamesEveryVariable: each command's --help shows, after every
// flag it takes (its own and those it inherits), that flag's environment
// variable once.
func TestHelpNamesEveryVariable(t *testing.T) {
	t.Parallel()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Hidden {
			args := append(strings.Fields(c.CommandPath())[1:], "--help")
			r := runCLI(t, nil, "", args...)
			check := func(f *pflag.Flag) {
				if f.Hidden || f.Name == "help" {
					return
				}
				if n := strings.Count(r.stdout, "[$"+envName(f.Name)+"]"); n != 1 {
					t.Errorf("%q --help names %s %d times after --%s, want once:\n%s", c.CommandPath(), envName(f.Name), n, f.Name, r.stdout)
				}
			}
			c.LocalFlags().VisitAll(check)
			c.InheritedFlags().VisitAll(check)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{getenv: func(string) string { return "" }}))
}
