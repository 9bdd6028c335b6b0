package tools

// Tests of what the tools show clients: their schemas (snapshotted in
// __toolsnaps__), their annotations, and the README's table of tools.
// UPDATE_TOOLSNAPS=true go test ./tools/ rewrites the snapshots and the
// table (UPDATE_README=true rewrites the table alone).

import (
	"context"

	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

const snapDir = "__toolsnaps__"

func updating(names ...string) bool {
	for _, n := range append(names, "UPDATE_TOOLSNAPS") {
		if os.Getenv(n) == "true" {
			return true
		}
	}
	return false
}

func everyTool(t *testing.T) []tool {
	t.Helper()
	return allTools(newToolbox(Deps{}))
}

func TestToolSnapshots(t *testing.T) {
	tools := everyTool(t)
	seen := map[string]bool{}
	for _, tl := range tools {
		name := tl.def.Name
		seen[name+".json"] = true
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(tl.def)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join(snapDir, name+".json")
			if updating() {
				if err := os.MkdirAll(snapDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no snapshot of %s (%v): run UPDATE_TOOLSNAPS=true go test ./tools/ and review the new file", name, err)
			}
			if !bytes.Equal(want, pretty.Bytes()) {
				t.Errorf("the definition of %s changed; if that is intended, run UPDATE_TOOLSNAPS=true go test ./tools/ and review the diff.\ngot:\n%s", name, pretty.Bytes())
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join(snapDir, "*.json"))
	for _, f := range files {
		if base := filepath.Base(f); !seen[base] {
			if updating() {
				os.Remove(f)
				continue
			}
			t.Errorf("%s is the snapshot of a tool that no longer exists; delete it", f)
		}
	}
}

// TestAnnotations checks that every tool sets all four hints itself, and
// that the hints say what the toolsets and --read-only rely on.
func TestAnnotations(t *testing.T) {
	for _, tl := range everyTool(t) {
		a := tl.def.Annotations
		for hint, v := range map[string]*bool{"readOnlyHint": a.ReadOnlyHint, "destructiveHint": a.DestructiveHint,
			"idempotentHint": a.IdempotentHint, "openWorldHint": a.OpenWorldHint} {
			if v == nil {
				t.Errorf("%s: %s is not set", tl.def.Name, hint)
			}
		}
		if a.Title == "" {
			t.Errorf("%s: no title", tl.def.Name)
		}
		if a.ReadOnlyHint != nil && *a.ReadOnlyHint && a.DestructiveHint != nil && *a.DestructiveHint {
			t.Errorf("%s: read-only and destructive", tl.def.Name)
		}
		if !slices.Contains(toolsetOrder, tl.toolset) {
			t.Errorf("%s: unknown toolset %q", tl.def.Name, tl.toolset)
		}
		if len(tl.def.Description) < 80 {
			t.Errorf("%s: the description is too short to tell the model when to use the tool", tl.def.Name)
		}
	}
}

// TestSchemas checks what every input schema must hold: an object with
// no unknown properties, every property described, and the common AWS
// arguments on every tool that calls AWS.
func TestSchemas(t *testing.T) {
	for _, tl := range everyTool(t) {
		var s struct {
			Type                 string                    `json:"type"`
			Properties           map[string]map[string]any `json:"properties"`
			AdditionalProperties *bool                     `json:"additionalProperties"`
		}
		if err := json.Unmarshal(tl.def.RawInputSchema, &s); err != nil {
			t.Fatalf("%s: %v", tl.def.Name, err)
		}
		if s.Type != "object" || s.AdditionalProperties == nil || *s.AdditionalProperties {
			t.Errorf("%s: schema is not a closed object: %s", tl.def.Name, tl.def.RawInputSchema)
		}
		for p, ps := range s.Properties {
			if ps["description"] == nil {
				t.Errorf("%s: property %s has no description", tl.def.Name, p)
			}
		}
		openWorld := *tl.def.Annotations.OpenWorldHint
		for _, common := range []string{"grant_id", "reason", "context"} {
			if _, ok := s.Properties[common]; ok != openWorld {
				t.Errorf("%s: open world %v but %s present %v", tl.def.Name, openWorld, common, ok)
			}
		}
	}
}

const (
	readmePath  = "../README.md"
	readmeBegin = "<!-- tools:begin -->"
	readmeEnd   = "<!-- tools:end -->"
)

// toolTable is the README's table of tools, made from their definitions.
func toolTable(tools []tool) string {
	var b strings.Builder
	b.WriteString("| toolset | tool | read-only | what it does |\n|---|---|---|---|\n")
	for _, tl := range tools {
		ro := "no"
		if tl.readOnly() {
			ro = "yes"
		}
		d := tl.def.Description
		if i := strings.Index(d, ". "); i >= 0 {
			d = d[:i+1]
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", tl.toolset, tl.def.Name, ro, strings.ReplaceAll(d, "|", `\|`))
	}
	return b.String()
}

func TestReadmeToolTable(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, readmeBegin), strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s … %s markers", readmeBegin, readmeEnd)
	}
	want := s[:i+len(readmeBegin)] + "\n" + toolTable(everyTool(t)) + s[j:]
	if want == s {
		return
	}
	if updating("UPDATE_README") {
		if err := os.WriteFile(readmePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's table of tools is stale; run UPDATE_README=true go test ./tools/ -run TestReadmeToolTable. It should read:\n%s", toolTable(everyTool(t)))
}

// TestReasonCapInSchema: the schema tells agents the vault's cap on reasons,
// and a reason over it is refused with the cap in the message, nothing sent.
func TestReasonCapInSchema(t *testing.T) {
	b, err := os.ReadFile("__toolsnaps__/aws_request.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`"maxLength": %d`, vault.MaxReasonBytes); !strings.Contains(string(b), want) {
		t.Errorf("aws_request's schema does not say %s", want)
	}
	e := newEnv(t, nil, nil)
	g := e.grant(t, "g", policy.Policy{}, vault.StaticCredentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
	c := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")
	m := c.fail(t, "aws_request", map[string]any{"grant_id": g.ID, "url": "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
		"reason": strings.Repeat("r", vault.MaxReasonBytes+1)}, "invalid_request")
	if !strings.Contains(str(m, "message"), fmt.Sprint(vault.MaxReasonBytes)) || m["sent"] == true {
		t.Errorf("an oversized reason: %v", m)
	}
	m = c.fail(t, "aws_request", map[string]any{"grant_id": g.ID, "url": "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
		"context": map[string]any{"blob": strings.Repeat("c", vault.MaxContextBytes)}}, "invalid_request")
	if !strings.Contains(str(m, "message"), fmt.Sprint(vault.MaxContextBytes)) {
		t.Errorf("an oversized context: %v", m)
	}
}

// TestOutputSchemas: every tool declares an output schema that compiles,
// describes an object and requires the fields every result has; and the
// test servers of this package hold every successful result of every test
// to it (server.WithOutputSchemaValidation in helpers_test.go), which this
// test shows refuses a result that does not match.
func TestOutputSchemas(t *testing.T) {
	e := newEnv(t, nil, nil)
	tb := newToolbox(Deps{Vault: e.v})
	for _, tl := range allTools(tb) {
		raw := tl.def.RawOutputSchema
		if len(raw) == 0 {
			t.Errorf("%s declares no output schema", tl.def.Name)
			continue
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", tl.def.Name, err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("out.json", doc); err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile("out.json")
		if err != nil {
			t.Errorf("%s: the output schema does not compile: %v", tl.def.Name, err)
			continue
		}
		var m map[string]any
		json.Unmarshal(raw, &m)
		if m["type"] != "object" {
			t.Errorf("%s: output schema type %v", tl.def.Name, m["type"])
		}
		if err := sch.Validate(map[string]any{}); err == nil {
			t.Errorf("%s: an empty result validates", tl.def.Name)
		}
		if err := sch.Validate(map[string]any{"error": "denied", "message": "no", "sent": false}); err != nil {
			t.Errorf("%s: an error result does not validate: %v", tl.def.Name, err)
		}
	}

	// The validation the test servers run refuses a result off its schema.
	s := e.server(t, Deps{}, Options{Tools: []string{"list_grants"}}, Session{})
	bad := mcp.NewToolWithRawSchema("bad_shape", "test only", json.RawMessage(`{"type":"object"}`))
	bad.RawOutputSchema = json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`)
	s.AddTool(bad, func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return result(map[string]any{"n": "not a number"}), nil
	})
	req := mcp.CallToolRequest{}
	req.Params.Name = "bad_shape"
	res, err := e.connect(t, s, "").CallTool(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError {
		t.Error("a result off its output schema was not refused by the test server's validation")
	}
}

// TestRawInputSchemaListsOnCurrentMCPGo: on mcp-go v1.2.1,
// mcp.WithRawInputSchema left the default input schema type set beside the
// raw one, and tools/list failed for the whole server, so the tools use
// mcp.NewToolWithRawSchema. v1.6.0 clears it; this test shows it, so the
// workaround can go when nothing else needs it.
func TestRawInputSchemaListsOnCurrentMCPGo(t *testing.T) {
	e := newEnv(t, nil, nil)
	s := e.server(t, Deps{}, Options{Tools: []string{"list_grants"}}, Session{})
	s.AddTool(mcp.NewTool("raw_schema", mcp.WithDescription("test only"), mcp.WithRawInputSchema(json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`))),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText("ok"), nil
		})
	names := listed(t, e.connect(t, s, ""))
	if !slices.Contains(names, "raw_schema") || !slices.Contains(names, "list_grants") {
		t.Errorf("tools/list: %v", names)
	}
}
