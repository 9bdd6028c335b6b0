package urlparse_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

// awsSuffixes are the DNS suffixes an accepted AWS host may end in, written
// out independently of the generated tables.
var awsSuffixes = []string{
	".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".on.aws", ".amazonaws.eu",
	".c2s.ic.gov", ".sc2s.sgov.gov", ".cloud.adc-e.uk", ".csp.hci.ic.gov",
	".api.amazonwebservices.com.cn", ".api.amazonwebservices.eu", ".api.aws.ic.gov",
	".api.aws.scloud", ".api.cloud-aws.adc-e.uk", ".api.aws.hci.ic.gov",
}

// FuzzParse checks that Parse never panics, never accepts a host outside the
// AWS suffixes unless it is a configured custom endpoint, and never repeats a
// query in an error.
func FuzzParse(f *testing.F) {
	for _, c := range allAccepted() {
		f.Add(c.url)
	}
	for _, c := range customCases {
		f.Add(c.url)
	}
	for _, cs := range [][]refused{refusedCases, customRefusedCases, credentialRefusedCases} {
		for _, c := range cs {
			f.Add(c.url)
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range []*urlparse.Parser{{}, customParser} {
			ep, err := p.Parse(raw)
			if err != nil {
				var pe *urlparse.Error
				if !errors.As(err, &pe) || pe.Kind == nil || !errors.Is(err, pe.Kind) {
					t.Fatalf("Parse(%q): error %v is not an *Error with a Kind", raw, err)
				}
				if strings.ContainsAny(pe.URL, "?#") {
					t.Fatalf("Parse(%q): Error.URL %q keeps a query or fragment", raw, pe.URL)
				}
				continue
			}
			checkAccepted(t, p, raw, ep)
		}
	})
}

func checkAccepted(t *testing.T, p *urlparse.Parser, raw string, ep urlparse.Endpoint) {
	t.Helper()
	// What net/url (and so net/http) would connect to.
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%q) accepted a URL net/url refuses: %v", raw, err)
	}
	if u.User != nil {
		t.Fatalf("Parse(%q) accepted userinfo", raw)
	}
	host := strings.ToLower(u.Host)
	if ep.Custom {
		for _, c := range p.Custom {
			cu, _ := url.Parse(c.URL)
			if cu.Scheme == u.Scheme && strings.EqualFold(strings.TrimSuffix(strings.TrimSuffix(cu.Host, ":443"), ":80"), ep.Host) {
				return
			}
		}
		t.Fatalf("Parse(%q) = custom endpoint %s, which is not configured", raw, ep.Host)
	}
	if u.Scheme != "https" || ep.Scheme != "https" {
		t.Fatalf("Parse(%q) accepted scheme %q for an AWS host", raw, u.Scheme)
	}
	if h := strings.TrimSuffix(host, ":443"); h != ep.Host {
		t.Fatalf("Parse(%q): Host %q, but net/url connects to %q", raw, ep.Host, host)
	}
	ok := false
	for _, s := range awsSuffixes {
		if strings.HasSuffix(ep.Host, s) {
			ok = true
		}
	}
	if !ok {
		t.Fatalf("Parse(%q) accepted %q, outside every AWS suffix", raw, ep.Host)
	}
	if ep.Partition == "" || ep.Service == "" || ep.SigningName == "" || (ep.SigningRegion == "") == (ep.RegionSet == "") {
		t.Fatalf("Parse(%q) = %+v: partition, service, signing name and one of signing region or region set are required", raw, ep)
	}
}
