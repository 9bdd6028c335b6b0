package bearer_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/bearer"
)

// FuzzDecode: Decode never panics on hostile tokens, and what it accepts
// names a known kind, its service and a positive lifetime, and never
// shows the signature or session token.
func FuzzDecode(f *testing.F) {
	tok, _ := bearer.Generate(bearer.Bedrock, creds, "us-east-1", time.Hour, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	f.Add(tok.Value)
	f.Add("bedrock-api-key-")
	f.Add("aws-external-anthropic-api-key-" + base64.StdEncoding.EncodeToString([]byte("aws-external-anthropic.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00&X-Amz-Credential=A/20260101/us-east-1/x/aws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=1")))
	f.Add("bedrock-api-key-" + base64.StdEncoding.EncodeToString([]byte("bedrock.amazonaws.com/%zz?\x00")))
	f.Fuzz(func(t *testing.T, s string) {
		info, err := bearer.Decode(s)
		if err != nil {
			return
		}
		if _, ok := bearer.KindNamed(info.Kind); !ok || !info.Expires.After(info.Issued) || info.Region == "" {
			t.Fatalf("accepted %q as %+v", s, info)
		}
		if strings.Contains(info.URL, "X-Amz-Signature=") && !strings.Contains(info.URL, "X-Amz-Signature=REDACTED") {
			t.Fatalf("Decode's URL shows the signature: %s", info.URL)
		}
	})
}
