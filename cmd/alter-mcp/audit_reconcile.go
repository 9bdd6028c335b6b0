package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/spf13/cobra"
)

const auditReconcileLong = `Join the audit trail with CloudTrail, to prove that every use of a grant's key
went through alter-mcp.

--cloudtrail is a CloudTrail log file (gzip JSON, {"Records": [...]}), a folder
tree as CloudTrail writes it to S3 (AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/),
or s3://BUCKET/PREFIX, read in place with the key of --cloudtrail-grant (a grant
that may s3:ListBucket and s3:GetObject there; each listing and read is audited).
Digest files are left out; with --since, so are the files delivered before it
(CloudTrail names each by its delivery time).

Each event made with a static grant's access key (or a key the audit says signed
a grant's call: an old key of a rotated grant, a role session's temporary key), or
in a role grant's session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, the
session name in "grant show"),
is joined to the audit by its request id; failing that, by grant, event source and
name within a minute of an audited call (the earlier attempts of a retried call);
failing that, a presigned-URL request within the validity of a URL the grant
presigned. An event none of these explains is a LEAK: the key was used outside
alter-mcp. Each is printed with who, what, when, the source IP and user agent.

Audited calls CloudTrail does not have are listed apart: data events (S3 objects,
Lambda invokes, ...) that the trail does not record, or a region it does not cover.
Calls after the newest event read are counted as pending: CloudTrail delivers
within about 15 minutes.

Exit status: 0 when no leak was found, 1 when one was (or the command failed),
2 for a usage error. Progress goes to stderr; --json prints the result as one
JSON object on stdout.`

func newAuditReconcileCmd(a *app, vf *vaultFlags) *cobra.Command {
	var (
		trail, since, grant, region string
		asJSON                      bool
	)
	cmd := &cobra.Command{
		Use:     "reconcile --cloudtrail PATH [--since T] [--json]",
		Short:   "Join the audit with CloudTrail; exit 1 when a grant's key was used outside alter-mcp",
		Long:    auditReconcileLong,
		Example: "  aws s3 sync s3://my-trail/AWSLogs/123456789012/CloudTrail/ trail/\n  alter-mcp audit reconcile --cloudtrail trail/ --since 2d",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if trail == "" {
				return usagef("--cloudtrail: give a CloudTrail log file, the folder its files are in, or s3://BUCKET/PREFIX")
			}
			inS3 := strings.HasPrefix(trail, "s3://")
			if inS3 && grant == "" {
				return usagef("--cloudtrail %s: name the grant that reads the trail's bucket with --cloudtrail-grant", trail)
			}
			r := audit.Reconciler{Progress: a.trailProgress()}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return usagef("--since: %v", err)
				}
				r.Since = t
			}
			return a.withVault(cmd, vf, func(ctx context.Context, v *vault.Vault) error {
				keys, err := trailKeys(ctx, v)
				if err != nil {
					return err
				}
				r.Keys = keys
				if err := r.ReadAudit(ctx, v.AuditLog()); err != nil {
					return err
				}
				if inS3 {
					files, err := v.CloudTrailFiles(ctx, grant, trail, region, r.Since)
					if err != nil {
						return err
					}
					err = r.ReadTrailFiles(ctx, files)
				} else {
					err = r.ReadTrailPath(ctx, trail)
				}
				if err != nil {
					return err
				}
				res := r.Result()
				if asJSON {
					err = a.writeJSON(res)
				} else {
					err = a.printReconciliation(res)
				}
				if err != nil {
					return err
				}
				if !res.Clean() {
					return fmt.Errorf("%d CloudTrail events used a grant's key outside alter-mcp", res.LeakCount)
				}
				return nil
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&trail, "cloudtrail", "", "a CloudTrail log file, a folder tree of them as CloudTrail writes it, or s3://BUCKET/PREFIX")
	fs.StringVar(&grant, "cloudtrail-grant", "", "the grant that reads an s3:// trail (s3:ListBucket, s3:GetObject)")
	fs.StringVar(&region, "cloudtrail-region", "", "the region of an s3:// trail's bucket; default: asked of S3")
	fs.StringVar(&since, "since", "", "only events and calls since: a duration ago (90m, 12h, 7d), an RFC 3339 time or a date")
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}

// trailKeys are the principals CloudTrail names the vault's grants by,
// revoked grants included: a revoked grant's key may still work in IAM.
// A profile grant's key is resolved where it signs and is not known here.
func trailKeys(ctx context.Context, v *vault.Vault) (audit.TrailKeys, error) {
	gs, err := v.Grants(ctx)
	if err != nil {
		return audit.TrailKeys{}, err
	}
	keys := audit.TrailKeys{AccessKeys: map[string][]string{}}
	for _, g := range gs {
		if g.AccessKeyID != "" {
			keys.AccessKeys[g.AccessKeyID] = append(keys.AccessKeys[g.AccessKeyID], g.Name)
		}
		if g.RoleARN != "" {
			keys.Sessions = append(keys.Sessions, audit.RoleSession{Grant: g.Name, RoleARN: g.RoleARN, SessionName: g.SessionName})
		}
	}
	return keys, nil
}

// trailProgress logs how far the trail is read, at most once a second, and
// the last file always.
func (a *app) trailProgress() func(audit.TrailProgress) {
	var last time.Time
	return func(p audit.TrailProgress) {
		if time.Since(last) < time.Second && p.Files < p.FilesTotal {
			return
		}
		last = time.Now()
		a.log.Info("reading CloudTrail", "files", p.Files, "of", p.FilesTotal, "events", p.Events, "leaks", p.Leaks)
	}
}

func (a *app) printReconciliation(r *audit.Reconciliation) error {
	w := a.stdout
	fmt.Fprintf(w, "CloudTrail: %d files, %d events: %d made with a grant's key, %d of other principals", r.Files, r.Events, r.GrantEvents, r.OtherEvents)
	if !r.Newest.IsZero() {
		fmt.Fprintf(w, "; newest %s", r.Newest.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "\naudit: %d calls sent; %d found in CloudTrail, %d not in it, %d pending (after the newest event)\n",
		r.Audited, r.Matched, r.UnloggedCount, r.Pending)
	if r.Presigned > 0 {
		fmt.Fprintf(w, "presigned URLs: %d requests within the validity of URLs the vault presigned\n", r.Presigned)
	}
	if r.LeakCount == 0 {
		fmt.Fprintln(w, "no leak: every event of a grant's key went through alter-mcp")
	} else {
		fmt.Fprintf(w, "\nLEAKS: %d events of a grant's key that did not go through alter-mcp", r.LeakCount)
		if len(r.Leaks) < r.LeakCount {
			fmt.Fprintf(w, " (the first %d)", len(r.Leaks))
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tGRANT\tEVENT\tREGION\tWHO\tACCESS KEY\tSOURCE IP\tUSER AGENT\tREQUEST ID")
		for _, l := range r.Leaks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.EventTime.UTC().Format(time.RFC3339), printable(strings.Join(l.Grants, ",")),
				dash(l.EventSource+":"+l.EventName), dash(l.AWSRegion), dash(l.UserIdentity.ARN), dash(l.UserIdentity.AccessKeyID),
				dash(l.SourceIPAddress), dash(l.UserAgent), dash(l.RequestID))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if r.UnloggedCount > 0 {
		fmt.Fprintf(w, "\nnot in CloudTrail: %d audited calls (data events are logged only when the trail selects them)\n", r.UnloggedCount)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tGRANT\tCALLER\tEVENT\tREQUEST ID\tID")
		for _, u := range r.Unlogged {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Time.UTC().Format(time.RFC3339), printable(u.Grant), dash(u.Caller),
				dash(u.EventSource+":"+u.Operation), dash(u.RequestID), u.ID)
		}
		return tw.Flush()
	}
	return nil
}
