package vault

import (
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
)

// modulePath is this module's path, looked up in the build information of
// whatever program imports the vault.
const modulePath = "github.com/alter-mcp/alter-mcp"

// Version is the version of alter-mcp this program was built from: the
// module version the Go toolchain stamped (as the main module, or as a
// dependency of a program that imports the vault), else "dev".
var Version = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := bi.Main.Version
	if bi.Main.Path != modulePath {
		v = ""
		for _, d := range bi.Deps {
			if d.Path == modulePath {
				v = d.Version
				break
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "dev"
	}
	return v
})

// UserAgent is the User-Agent of every request the vault sends for a grant:
// "alter-mcp/VERSION (grant NAME)", so that CloudTrail's userAgent names
// alter-mcp and the grant, and audit reconcile can tell the vault's calls
// apart. A grant's name is letters, digits, '.', '_' and '-': nothing to
// escape in a comment of RFC 9110.
func UserAgent(grant string) string {
	if grant == "" {
		return "alter-mcp/" + Version()
	}
	return "alter-mcp/" + Version() + " (grant " + grant + ")"
}

// setUserAgent makes ua r's one User-Agent, in the canonical
// spelling that sigv4 leaves unsigned: a header the agent sent as
// "user-agent" would otherwise be signed, and a proxy that rewrites
// User-Agent would then break the signature.
func setUserAgent(r *http.Request, ua string) {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	for k := range r.Header {
		if k != "User-Agent" && strings.EqualFold(k, "User-Agent") {
			delete(r.Header, k)
		}
	}
	r.Header["User-Agent"] = []string{ua}
}
