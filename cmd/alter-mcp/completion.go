package main

import (
	"github.com/spf13/cobra"
)

const completionLong = `Print a script that completes alter-mcp's commands, flags and arguments in
your shell. Load it in the current shell, or install it once:

  bash        source <(alter-mcp completion bash)
              alter-mcp completion bash > /etc/bash_completion.d/alter-mcp
              (needs the bash-completion package)
  zsh         alter-mcp completion zsh > "${fpath[1]}/_alter-mcp"
              (with "autoload -U compinit; compinit" in ~/.zshrc)
  fish        alter-mcp completion fish > ~/.config/fish/completions/alter-mcp.fish
  powershell  alter-mcp completion powershell | Out-String | Invoke-Expression
              (add that line to $PROFILE to keep it)

The script asks alter-mcp itself for the completions as you type.`

// newCompletionCmd replaces cobra's default completion command, so that it
// is one command of this program like the others: its own file, its flag
// in docs/configuration.md with an environment variable.
func newCompletionCmd(a *app) *cobra.Command {
	var noDesc bool
	cmd := &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long:      completionLong,
		Args:      usageArgs(cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs)),
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), a.stdout
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, !noDesc)
			case "zsh":
				if noDesc {
					return root.GenZshCompletionNoDesc(out)
				}
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, !noDesc)
			default: // powershell: Args allows nothing else
				if noDesc {
					return root.GenPowerShellCompletion(out)
				}
				return root.GenPowerShellCompletionWithDesc(out)
			}
		},
	}
	cmd.Flags().BoolVar(&noDesc, "no-descriptions", false, "complete names only, without a description of each")
	return cmd
}
