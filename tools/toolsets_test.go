package tools

import (
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func listed(t *testing.T, c *mcpClient) []string {
	t.Helper()
	res, err := c.ListTools(t.Context(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
		if tl.Annotations.ReadOnlyHint == nil || tl.Annotations.OpenWorldHint == nil {
			t.Errorf("%s: annotations lost on the wire: %+v", tl.Name, tl.Annotations)
		}
		if tl.InputSchema.Type != "object" {
			t.Errorf("%s: input schema on the wire: %+v", tl.Name, tl.InputSchema)
		}
	}
	return names
}

func TestRegisterSelectsTools(t *testing.T) {
	e := newEnv(t, nil, nil)
	all := []string{"list_grants", "aws_whoami", "aws_request", "read_response",
		"s3_list_buckets", "s3_list", "s3_get", "s3_put", "aws_operations",
		"bedrock_list_models", "bedrock_converse", "bedrock_invoke"}
	for _, tc := range []struct {
		name string
		o    Options
		want []string
	}{
		{"default", Options{}, all},
		{"all", Options{Toolsets: []string{"all"}}, all},
		{"s3 then core, in the fixed order", Options{Toolsets: []string{"S3", " core"}}, all[:8]},
		{"catalog", Options{Toolsets: []string{"catalog"}}, []string{"aws_operations"}},
		{"read-only, without read_response, which reads what aws_request keeps", Options{ReadOnly: true},
			[]string{"list_grants", "aws_whoami", "s3_list_buckets", "s3_list", "s3_get", "aws_operations", "bedrock_list_models"}},
		{"tools", Options{Tools: []string{"s3_get", "list_grants"}}, []string{"list_grants", "s3_get"}},
		{"tools after toolsets", Options{Toolsets: []string{"s3"}, Tools: []string{"s3_get", "list_grants"}}, []string{"s3_get"}},
		{"exclude", Options{Toolsets: []string{"core"}, Exclude: []string{"aws_operations", "s3_put"}}, all[:4]},
		{"exclude aws_request", Options{Toolsets: []string{"core"}, Exclude: []string{"aws_request"}}, []string{"list_grants", "aws_whoami"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := e.server(t, Deps{}, tc.o, Session{})
			for _, version := range []string{"", legacy2025} {
				// mcp-go lists tools by name; the fixed order is the README's.
				want := slices.Sorted(slices.Values(tc.want))
				if got := listed(t, e.connect(t, s, version)); !slices.Equal(got, want) {
					t.Errorf("protocol %q: tools %v, want %v", version, got, want)
				}
			}
		})
	}
}

// TestToolOrder checks that tools come grouped by toolset, in the fixed
// order of Toolsets.
func TestToolOrder(t *testing.T) {
	last := 0
	for _, tl := range allTools(newToolbox(Deps{})) {
		i := slices.Index(toolsetOrder, tl.toolset)
		if i < last {
			t.Errorf("%s (toolset %s) comes after a tool of a later toolset", tl.def.Name, tl.toolset)
		}
		last = i
	}
}

func TestRegisterRefusesUnknownNames(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, tc := range []struct {
		o    Options
		want []string
	}{
		{Options{Toolsets: []string{"bedrok"}}, []string{`unknown toolset "bedrok"`, "all, core, s3, catalog"}},
		{Options{Tools: []string{"s3_delete"}}, []string{`unknown tool "s3_delete"`, "list_grants, aws_whoami, aws_request"}},
		{Options{Exclude: []string{"nope"}}, []string{`unknown tool "nope"`, "aws_operations"}},
		{Options{Tools: []string{"s3_put"}, ReadOnly: true}, []string{"no tool"}},
	} {
		_, err := Register(server.NewMCPServer("t", "0"), Deps{Vault: e.v}, tc.o)
		if err == nil {
			t.Errorf("%+v: no error", tc.o)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: %v, want it to say %q", tc.o, err, w)
			}
		}
	}
	if _, err := Register(server.NewMCPServer("t", "0"), Deps{}, Options{}); err == nil {
		t.Error("Register without a vault: no error")
	}
	if got := Toolsets(); !slices.Equal(got, []string{"core", "s3", "catalog", "bedrock"}) {
		t.Errorf("Toolsets() = %v", got)
	}
}
