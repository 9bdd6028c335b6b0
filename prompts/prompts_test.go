package prompts

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func connect(t *testing.T, version string) *client.Client {
	t.Helper()
	s := server.NewMCPServer("alter-mcp-test", "0.0.0")
	Register(s)
	var opts []client.ClientOption
	if version != "" {
		opts = append(opts, client.WithProtocolVersion(version))
	}
	c, err := client.NewInProcessClientWithOptions(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "prompts-test", Version: "1"}
	init.Params.ProtocolVersion = version
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPrompts(t *testing.T) {
	for _, version := range []string{"", "2025-06-18"} {
		c := connect(t, version)
		list, err := c.ListPrompts(t.Context(), mcp.ListPromptsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range list.Prompts {
			names = append(names, p.Name)
			if p.Description == "" {
				t.Errorf("%s has no description", p.Name)
			}
			for _, a := range p.Arguments {
				if a.Description == "" {
					t.Errorf("%s: argument %s has no description", p.Name, a.Name)
				}
			}
		}
		if strings.Join(names, ",") != "explore_bucket,investigate_aws_error,review_audit" {
			t.Errorf("%q: prompts %v", version, names)
		}
		for _, tc := range []struct {
			name string
			args map[string]string
			want []string
		}{
			{"explore_bucket", map[string]string{"bucket": "logs-bucket", "prefix": "2024/"}, []string{`"logs-bucket"`, `"2024/"`, "s3_list", "s3_get", "list_grants", "do not write"}},
			{"explore_bucket", map[string]string{"bucket": "b", "grant": "reader"}, []string{`grant "reader"`}},
			{"investigate_aws_error", map[string]string{"error": "AccessDenied: not authorized", "request": "s3_get b/k"}, []string{"AccessDenied: not authorized", "s3_get b/k", "aws_whoami", "aws_operations", "list_grants"}},
			{"review_audit", map[string]string{"entries": `{"id":"aud_1","decision":"deny"}`, "focus": "alice"}, []string{"aud_1", "Focus on: alice", "Denials", "CloudTrail"}},
		} {
			req := mcp.GetPromptRequest{}
			req.Params.Name, req.Params.Arguments = tc.name, tc.args
			res, err := c.GetPrompt(t.Context(), req)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(res.Messages) != 1 || res.Messages[0].Role != mcp.RoleUser {
				t.Fatalf("%s: %+v", tc.name, res.Messages)
			}
			text := res.Messages[0].Content.(mcp.TextContent).Text
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s: the text lacks %q:\n%s", tc.name, w, text)
				}
			}
		}
		for _, name := range []string{"explore_bucket", "investigate_aws_error", "review_audit"} {
			req := mcp.GetPromptRequest{}
			req.Params.Name = name
			if _, err := c.GetPrompt(t.Context(), req); err == nil {
				t.Errorf("%s without its required argument: no error", name)
			}
		}
	}
}

func TestFence(t *testing.T) {
	if got := fence("a ``` b"); !strings.HasPrefix(got, "````\n") || !strings.HasSuffix(got, "\n````\n") {
		t.Errorf("fence: %q", got)
	}
}
