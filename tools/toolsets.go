package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Toolsets, in their fixed order.
const (
	toolsetCore    = "core"
	toolsetS3      = "s3"
	toolsetCatalog = "catalog"
	toolsetBedrock = "bedrock"
)

// toolsetAll selects every toolset.
const toolsetAll = "all"

var toolsetOrder = []string{toolsetCore, toolsetS3, toolsetCatalog, toolsetBedrock}

// Toolsets lists every toolset in its fixed order: core, s3, catalog,
// bedrock.
func Toolsets() []string { return slices.Clone(toolsetOrder) }

// tool is one MCP tool: its definition and handler, side by side, and the
// toolset it belongs to.
type tool struct {
	toolset string
	def     mcp.Tool
	handler server.ToolHandlerFunc
}

func (t tool) readOnly() bool {
	return t.def.Annotations.ReadOnlyHint != nil && *t.def.Annotations.ReadOnlyHint
}

// allTools builds every tool, in the order they are offered: by toolset,
// in the order of Toolsets, and within a toolset in the order listed here.
func allTools(tb *toolbox) []tool {
	return []tool{
		listGrants(tb),
		awsWhoami(tb),
		awsRequest(tb),
		readResponse(tb),

		s3ListBuckets(tb),
		s3List(tb),
		s3Get(tb),
		s3Put(tb),
		s3Presign(tb),

		awsOperations(tb),

		bedrockListModels(tb),
		bedrockConverse(tb),
		bedrockInvoke(tb),
	}
}

// Register adds the selected tools, and the resources they serve
// (alter://responses/{id}), to s. It returns an error for an unknown
// toolset or tool name.
//
// Close the returned Registered when the server stops: it removes what the
// tools keep on disk (the response spool).
func Register(s *server.MCPServer, d Deps, o Options) (*Registered, error) {
	if s == nil {
		return nil, errors.New("tools: no MCP server")
	}
	if d.Vault == nil {
		return nil, errors.New("tools: Deps.Vault is nil")
	}
	tb := newToolbox(d)
	tb.readOnly = o.ReadOnly
	var err error
	if tb.files, err = openFiles(d.FilesDir); err != nil {
		return nil, err
	}
	Warm() // the definitions, made once (or being made: then this waits)
	selected, err := selectTools(allTools(tb), o)
	if err != nil {
		tb.files.Close()
		return nil, err
	}
	// What a session is offered follows its caller's grants, at each
	// tools/list (see Offered).
	filter := func(ctx context.Context, list []mcp.Tool) []mcp.Tool {
		return tb.offered(ctx, d.SessionOf, list)
	}
	server.WithToolFilter(filter)(s)
	spools := false
	for _, t := range selected {
		s.AddTool(t.def, t.handler)
		spools = spools || t.def.Name == "aws_request"
	}
	if spools {
		s.AddResourceTemplate(responseResourceTemplate(), tb.readResponseResource)
	}
	return &Registered{closers: []io.Closer{tb.spool, tb.files}, filter: filter}, nil
}

// Registered is what Register added to a server.
type Registered struct {
	closers []io.Closer
	filter  server.ToolFilterFunc
}

// Offers reports whether the session of ctx is offered tool: the filter
// Register gave mcp-go, which it applies to tools/list and to the tool of
// each tools/call. A server that answers a tools/call itself asks it first.
func (r *Registered) Offers(ctx context.Context, tool mcp.Tool) bool {
	return len(r.filter(ctx, []mcp.Tool{tool})) == 1
}

// Close removes what the tools keep on disk, and returns the first error.
func (r *Registered) Close() error {
	var first error
	for _, c := range r.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// selectTools applies o to tools: the toolsets, then the tool names, then
// the exclusions, then read-only. Names are matched case-insensitively.
func selectTools(tools []tool, o Options) ([]tool, error) {
	sets := map[string]bool{}
	all := len(o.Toolsets) == 0
	for _, name := range o.Toolsets {
		name = normalize(name)
		switch {
		case name == toolsetAll:
			all = true
		case slices.Contains(toolsetOrder, name):
			sets[name] = true
		default:
			return nil, fmt.Errorf("unknown toolset %q; the toolsets are: %s, %s", name, toolsetAll, strings.Join(toolsetOrder, ", "))
		}
	}
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		names = append(names, t.def.Name)
	}
	known := func(list []string, what string) (map[string]bool, error) {
		m := map[string]bool{}
		for _, n := range list {
			n = normalize(n)
			if !slices.Contains(names, n) {
				return nil, fmt.Errorf("unknown tool %q in %s; the tools are: %s", n, what, strings.Join(names, ", "))
			}
			m[n] = true
		}
		return m, nil
	}
	only, err := known(o.Tools, "the tools to offer")
	if err != nil {
		return nil, err
	}
	exclude, err := known(o.Exclude, "the tools to exclude")
	if err != nil {
		return nil, err
	}
	var out []tool
	for _, t := range tools {
		switch {
		case !all && !sets[t.toolset]:
		case len(only) > 0 && !only[t.def.Name]:
		case exclude[t.def.Name]:
		case o.ReadOnly && !t.readOnly():
		default:
			out = append(out, t)
		}
	}
	// read_response reads what aws_request keeps; alone it is noise in
	// the model's list of tools.
	if !slices.ContainsFunc(out, func(t tool) bool { return t.def.Name == "aws_request" }) {
		out = slices.DeleteFunc(out, func(t tool) bool { return t.def.Name == "read_response" })
	}
	if len(out) == 0 {
		return nil, errors.New("the toolsets, tools, exclusions and read-only setting leave no tool to offer")
	}
	return out, nil
}

func normalize(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
