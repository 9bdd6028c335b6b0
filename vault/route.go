package vault

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Endpoint routing variables, as the AWS SDKs name them.
const (
	envEndpointURL    = "AWS_ENDPOINT_URL"
	envIgnoreEndpoint = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
)

// endpointEnv is the service-specific endpoint variable of a service:
// AWS_ENDPOINT_URL_ and its service id upper-cased with spaces as
// underscores (S3, DYNAMODB, BEDROCK_RUNTIME); "" for a service the catalog
// does not know.
func endpointEnv(service string) string {
	s, ok := catalog.Service(service)
	if !ok || s.ID == "" {
		return ""
	}
	return envEndpointURL + "_" + strings.ToUpper(strings.ReplaceAll(s.ID, " ", "_"))
}

// target is where a request for ep at u is sent: u itself (its host as
// urlparse approved it), or the endpoint AWS_ENDPOINT_URL_<SERVICE> or
// AWS_ENDPOINT_URL names, with S3 switched to path style. routed reports
// the latter.
func (v *Vault) target(ep urlparse.Endpoint, u *url.URL) (t *url.URL, routed bool, err error) {
	t = &url.URL{Scheme: ep.Scheme, Host: ep.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	if ep.Custom || envTrue(v.getenv(envIgnoreEndpoint)) {
		return t, false, nil
	}
	name, base := endpointEnv(ep.Service), ""
	if name != "" {
		base = v.getenv(name)
	}
	if base == "" {
		name, base = envEndpointURL, v.getenv(envEndpointURL)
	}
	if base == "" {
		return t, false, nil
	}
	bu, err := url.Parse(base)
	if err != nil || bu.Scheme != "http" && bu.Scheme != "https" || bu.Host == "" || bu.User != nil || bu.RawQuery != "" || bu.Fragment != "" {
		return nil, false, fmt.Errorf("%w: %s is %q, which is not an endpoint URL (http[s]://host[:port][/path]); fix or unset it",
			ErrInvalid, name, text.Clip(base, 200))
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if ep.S3() && ep.Addressing == urlparse.VirtualHosted && ep.Bucket != "" {
		path = "/" + ep.Bucket + path
	}
	raw := strings.TrimSuffix(bu.EscapedPath(), "/") + path
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return nil, false, fmt.Errorf("%w: path %q: %w", ErrInvalid, text.Clip(raw, 200), err)
	}
	t.Scheme, t.Host, t.Path, t.RawPath = bu.Scheme, bu.Host, dec, raw
	return t, true, nil
}

func envTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
