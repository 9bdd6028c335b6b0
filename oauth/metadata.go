package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// WellKnownPath is where RFC 9728 Protected Resource Metadata is served; a
// resource with a path has its own at WellKnownPath + that path.
const WellKnownPath = "/.well-known/oauth-protected-resource"

// Metadata is RFC 9728 Protected Resource Metadata: what a client needs to
// get a token for this server.
type Metadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
}

// Metadata returns this server's metadata.
func (v *Verifier) Metadata() Metadata {
	return Metadata{
		Resource:               v.c.Resource,
		AuthorizationServers:   v.c.Issuers,
		ScopesSupported:        v.c.Scopes,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "alter-mcp",
	}
}

// MetadataPaths are the paths the metadata is served at: WellKnownPath, and
// WellKnownPath followed by the resource's path (RFC 9728 section 3.1).
func (v *Verifier) MetadataPaths() []string {
	paths := []string{WellKnownPath}
	if u, err := url.Parse(v.c.Resource); err == nil && strings.Trim(u.Path, "/") != "" {
		paths = append(paths, WellKnownPath+"/"+strings.Trim(u.Path, "/"))
	}
	return paths
}

// MetadataURL is the URL of the resource's metadata, which every challenge
// names (resource_metadata).
func (v *Verifier) MetadataURL() string {
	u, _ := url.Parse(v.c.Resource)
	paths := v.MetadataPaths()
	return u.Scheme + "://" + u.Host + paths[len(paths)-1]
}

// ServeMetadata answers a GET of the metadata.
func (v *Verifier) ServeMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "alter-mcp: GET the metadata", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	_ = json.NewEncoder(w).Encode(v.Metadata())
}

// Challenge is the WWW-Authenticate value of a refusal: code "" for a
// request without credentials, else invalid_token or insufficient_scope.
func (v *Verifier) Challenge(code, description string) string {
	c := fmt.Sprintf(`Bearer resource_metadata=%q`, v.MetadataURL())
	if code != "" {
		c += fmt.Sprintf(`, error=%q, error_description=%q`, code, strings.ReplaceAll(description, `"`, "'"))
	}
	if len(v.c.Scopes) > 0 {
		c += fmt.Sprintf(`, scope=%q`, strings.Join(v.c.Scopes, " "))
	}
	return c
}
