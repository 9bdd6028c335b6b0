package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/spf13/pflag"
)

const policyFileHelp = `A policy file is JSON with these fields, all optional: allow_services,
deny_services, allow_regions, deny_regions, allow_methods, deny_methods,
allow_actions, deny_actions (IAM style, "s3:Get*"), allow_hosts, deny_hosts,
allow_paths, deny_paths (globs), read_only, require_reason, max_body_bytes,
rate and caller_rate ({"per_second": 5, "burst": 10}), not_before, expires,
confirm_writes, deny_presign, issue_credentials, allow_customer_hosts (globs).
Deny wins; an empty allow list allows all. Two things are refused unless the
policy opts in: operations that hand out credentials, tokens or signed URLs
(whoever reads them can use AWS without the vault), and hosts anyone can own,
such as Lambda function URLs and API Gateway APIs (their owner sees the signed
request). Flags given with --policy-file change the file's policy.`

// policyFlags edit a policy; only the flags given change it.
type policyFlags struct {
	file                                 string
	allowServices, denyServices          []string
	allowRegions, denyRegions            []string
	allowMethods, denyMethods            []string
	allowActions, denyActions            []string
	allowCustomerHosts                   []string
	readOnly, requireReason, denyPresign bool
	confirmWrites, issueCredentials      bool
	maxBodyBytes                         int64
}

func (f *policyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "policy-file", "", "read the policy from this JSON file (see --help)")
	fs.StringSliceVar(&f.allowServices, "allow-services", nil, "services the grant may call (s3,sts,dynamodb); empty: all")
	fs.StringSliceVar(&f.denyServices, "deny-services", nil, "services the grant may not call")
	fs.StringSliceVar(&f.allowRegions, "allow-regions", nil, "regions the grant may call (us-east-1,eu-*); empty: all")
	fs.StringSliceVar(&f.denyRegions, "deny-regions", nil, "regions the grant may not call")
	fs.StringSliceVar(&f.allowMethods, "allow-methods", nil, "HTTP methods the grant may use; empty: all")
	fs.StringSliceVar(&f.denyMethods, "deny-methods", nil, "HTTP methods the grant may not use")
	fs.StringSliceVar(&f.allowActions, "allow-actions", nil, "IAM actions the grant may call (s3:Get*,sts:GetCallerIdentity); empty: all")
	fs.StringSliceVar(&f.denyActions, "deny-actions", nil, "IAM actions the grant may not call (iam:*)")
	fs.BoolVar(&f.readOnly, "read-only", false, "allow only operations known to be read-only")
	fs.BoolVar(&f.requireReason, "require-reason", false, "refuse calls that give no reason")
	fs.BoolVar(&f.denyPresign, "deny-presign", false, "refuse presigned URLs and bearer tokens")
	fs.BoolVar(&f.confirmWrites, "confirm-writes", false, "ask a person before each write: the user, where the MCP client can ask, else an operator (alter-mcp approvals)")
	fs.Int64Var(&f.maxBodyBytes, "max-body-bytes", 0, "largest request body allowed; 0: no limit")
	fs.BoolVar(&f.issueCredentials, "issue-credentials", false,
		"allow operations that hand out credentials, tokens or signed URLs (sts:GetSessionToken, iam:CreateAccessKey); off by default because whoever reads them can use AWS without the vault")
	fs.StringSliceVar(&f.allowCustomerHosts, "allow-customer-hosts", nil,
		"hosts anyone can own (Lambda function URLs, API Gateway, AppSync, OpenSearch) that the grant may call, as globs (**.execute-api.us-east-1.amazonaws.com); none by default because their owner sees the signed request")
}

// apply returns base changed by the flags given, after --policy-file when given.
func (f *policyFlags) apply(base policy.Policy, changed func(string) bool) (policy.Policy, error) {
	p := base
	if f.file != "" {
		data, err := os.ReadFile(f.file)
		if err != nil {
			return p, usagef("--policy-file: %v", err)
		}
		if p, err = policy.Parse(data); err != nil {
			return p, usagef("--policy-file %s: %v", f.file, err)
		}
	}
	lists := []struct {
		flag string
		dst  *[]string
		src  []string
	}{
		{"allow-services", &p.AllowServices, f.allowServices},
		{"deny-services", &p.DenyServices, f.denyServices},
		{"allow-regions", &p.AllowRegions, f.allowRegions},
		{"deny-regions", &p.DenyRegions, f.denyRegions},
		{"allow-methods", &p.AllowMethods, f.allowMethods},
		{"deny-methods", &p.DenyMethods, f.denyMethods},
		{"allow-actions", &p.AllowActions, f.allowActions},
		{"deny-actions", &p.DenyActions, f.denyActions},
		{"allow-customer-hosts", &p.AllowCustomerHosts, f.allowCustomerHosts},
	}
	for _, l := range lists {
		if changed(l.flag) {
			*l.dst = nonEmpty(l.src)
		}
	}
	bools := []struct {
		flag string
		dst  *bool
		src  bool
	}{
		{"read-only", &p.ReadOnly, f.readOnly},
		{"require-reason", &p.RequireReason, f.requireReason},
		{"deny-presign", &p.DenyPresign, f.denyPresign},
		{"confirm-writes", &p.ConfirmWrites, f.confirmWrites},
		{"issue-credentials", &p.IssueCredentials, f.issueCredentials},
	}
	for _, b := range bools {
		if changed(b.flag) {
			*b.dst = b.src
		}
	}
	if changed("max-body-bytes") {
		p.MaxBodyBytes = f.maxBodyBytes
	}
	if err := p.Validate(); err != nil {
		return p, usagef("policy: %v", err)
	}
	return p, nil
}

// nonEmpty drops blank entries, so that --allow-services ” clears a list.
func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// policySummary is a one-line description of a policy for tables and logs.
func policySummary(p policy.Policy) string {
	var parts []string
	add := func(label string, list []string) {
		if len(list) > 0 {
			parts = append(parts, label+"="+strings.Join(list, ","))
		}
	}
	if p.ReadOnly {
		parts = append(parts, "read-only")
	}
	add("services", p.AllowServices)
	add("-services", p.DenyServices)
	add("regions", p.AllowRegions)
	add("-regions", p.DenyRegions)
	add("methods", p.AllowMethods)
	add("-methods", p.DenyMethods)
	add("actions", p.AllowActions)
	add("-actions", p.DenyActions)
	add("customer-hosts", p.AllowCustomerHosts)
	if p.IssueCredentials {
		parts = append(parts, "issues credentials")
	}
	if p.RequireReason {
		parts = append(parts, "reason required")
	}
	if len(parts) == 0 {
		return "allow all"
	}
	return strings.Join(parts, " ")
}

func policyJSON(p policy.Policy) string {
	var sb strings.Builder
	enc := jsonIndent(&sb)
	if err := enc.Encode(p); err != nil {
		return fmt.Sprintf("(cannot show: %v)", err)
	}
	return strings.TrimRight(sb.String(), "\n")
}
