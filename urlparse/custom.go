package urlparse

import (
	"fmt"
	"net/url"
	"strings"
)

// Custom is an endpoint the operator configured: an emulator such as
// LocalStack, or a proxy in front of AWS. Its region and service come from
// this configuration, never from the URL.
type Custom struct {
	// URL is scheme://host[:port][/base-path], for example
	// "http://localhost:4566" or "https://proxy.internal:8443/aws". A URL
	// matches when its scheme, host and port are these exactly and its path
	// is the base path or below it. http is allowed here, and only here.
	URL string
	// Region is the region to sign for (required): "us-east-1".
	Region string
	// Service is the endpoint prefix of the service behind the URL
	// (required): "s3", "sqs", "bedrock-runtime". For "s3" the bucket and
	// key are read path style from the path below the base path.
	Service string
	// SigningName is the service name to sign for. Empty means the one AWS
	// uses for Service ("bedrock" for "bedrock-runtime").
	SigningName string
	// Partition is the partition to report. Empty means the partition of
	// Region, or "" when no partition has such a region.
	Partition string
}

// customEndpoint is a Custom ready to match.
type customEndpoint struct {
	scheme string
	host   string // lower case, without a default port
	base   string // path prefix, without a trailing slash
	ep     Endpoint
}

// Validate reports the first problem with the Parser's Custom endpoints, as
// an *Error of kind ErrConfig. Parse returns the same error for every URL
// while the configuration is wrong; call Validate at startup to fail early.
func (ps *Parser) Validate() error {
	if len(ps.Custom) == 0 {
		return nil
	}
	ps.once.Do(ps.compile)
	return ps.err
}

func (ps *Parser) compile() {
	ps.custom = make([]customEndpoint, 0, len(ps.Custom))
	for i, c := range ps.Custom {
		ce, reason := compileCustom(c)
		if reason != "" {
			shown := redact(c.URL)
			ps.err = &Error{URL: shown, Reason: fmt.Sprintf("custom endpoint %d (%s): %s", i, shown, reason), Kind: ErrConfig}
			ps.custom = nil
			return
		}
		ps.custom = append(ps.custom, ce)
	}
}

func compileCustom(c Custom) (customEndpoint, string) {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return customEndpoint{}, "URL is not a valid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return customEndpoint{}, "URL must start with http:// or https://"
	case u.Host == "" || u.Opaque != "":
		return customEndpoint{}, "URL has no host"
	case u.User != nil:
		return customEndpoint{}, "URL must not carry userinfo"
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return customEndpoint{}, "URL must not have a query or fragment"
	case strings.Contains(c.URL, "%") || u.EscapedPath() != u.Path:
		// The base path is matched literally against request paths as written.
		return customEndpoint{}, "URL must not be percent-encoded or need encoding"
	case !isToken(c.Region, false):
		return customEndpoint{}, "Region is required: lower-case letters, digits and hyphens, like us-east-1"
	case !isToken(c.Service, true):
		return customEndpoint{}, "Service is required: an endpoint prefix such as s3, sqs or bedrock-runtime"
	case c.SigningName != "" && !isSigningName(c.SigningName):
		return customEndpoint{}, "SigningName has characters a signing name cannot have"
	}
	ce := customEndpoint{
		scheme: u.Scheme,
		host:   customHost(u.Scheme, strings.ToLower(u.Host)),
		base:   strings.TrimSuffix(u.Path, "/"),
	}
	ce.ep = Endpoint{
		Scheme:        ce.scheme,
		Host:          ce.host,
		Partition:     c.Partition,
		Region:        c.Region,
		Service:       c.Service,
		SigningName:   c.SigningName,
		SigningRegion: c.Region,
		Custom:        true,
	}
	if ce.ep.SigningName == "" {
		ce.ep.SigningName = signingName(c.Service)
	}
	if ce.ep.Partition == "" {
		if pi, ok := partitionOf(c.Region); ok {
			ce.ep.Partition = partitions[pi].id
		}
	}
	return ce, ""
}

// customHost drops the scheme's default port.
func customHost(scheme, hostport string) string {
	switch {
	case scheme == "https":
		return strings.TrimSuffix(hostport, ":443")
	case scheme == "http":
		return strings.TrimSuffix(hostport, ":80")
	}
	return hostport
}

// matchCustom returns the configured endpoint a URL belongs to, the one with
// the longest base path when several match. rawPath is the path as written:
// the base path must appear in it literally.
func (ps *Parser) matchCustom(scheme, hostport, rawPath string) *customEndpoint {
	if len(ps.custom) == 0 {
		return nil
	}
	host := customHost(scheme, hostport)
	var best *customEndpoint
	for i := range ps.custom {
		c := &ps.custom[i]
		if c.scheme != scheme || c.host != host || !underBase(rawPath, c.base) {
			continue
		}
		if best == nil || len(c.base) > len(best.base) {
			best = c
		}
	}
	return best
}

// underBase reports whether path is base or below it, on a segment boundary.
func underBase(path, base string) bool {
	if base == "" {
		return true
	}
	rest, ok := strings.CutPrefix(path, base)
	return ok && (rest == "" || rest[0] == '/')
}

func (c *customEndpoint) parse(p *parse, u *parts) {
	p.ep = c.ep
	if c.ep.Service == "s3" {
		p.path = pathBucket
		p.s3Path(u, len(c.base))
	}
}

// isToken reports whether s is a non-empty run of lower-case letters, digits
// and hyphens (and dots, when dots is set) that starts with a letter.
func isToken(s string, dots bool) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || dots && c == '.') {
			return false
		}
	}
	return true
}

// isSigningName reports whether s can be the service of a credential scope:
// letters, digits, hyphens, dots and underscores (IngestionService).
func isSigningName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}
