package main

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const grantRotateLong = `Replace a grant's IAM access key with a new one, made with the grant's own key:
create the new key, check it with STS (waiting up to 30 seconds for IAM to make
it known), make it the grant's key (the grant id does not change, and calls with
the grant use the new key from then on), then deactivate and delete the old key,
with the new one. Each step is logged on stderr as it completes; the new access
key id is printed alone on stdout.

Every step survives a crash: run the command again and it goes on from the last
step done, without making a second key. The calls to IAM and STS are made as the
operator (the grant's policy does not apply) and are audited.

The grant's key needs iam:CreateAccessKey, iam:UpdateAccessKey,
iam:DeleteAccessKey and iam:ListAccessKeys on its own user. IAM allows two keys
per user: when the user already has another one, delete the unused key first.
Temporary credentials (with a session token) cannot be rotated. AWS_REGION picks
the partition of the IAM endpoint (aws-cn, aws-us-gov); AWS_ENDPOINT_URL routes
the calls as it does every call.`

func newGrantRotateCmd(a *app, vf *vaultFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rotate ID|NAME",
		Short: "Rotate a grant's IAM access key; its id keeps working",
		Long:  grantRotateLong,
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				res, err := v.Rotate(ctx, args[0])
				if err != nil {
					return err
				}
				attrs := []any{"grant", res.GrantID, "name", res.Name, "user", res.UserARN,
					"old_access_key_id", res.OldAccessKeyID, "new_access_key_id", res.NewAccessKeyID}
				if res.ResumedFrom != "" {
					attrs = append(attrs, "resumed_from", res.ResumedFrom)
				}
				a.log.Info("access key rotated", attrs...)
				if asJSON {
					return a.writeJSON(res)
				}
				_, err = fmt.Fprintln(a.stdout, res.NewAccessKeyID)
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}
