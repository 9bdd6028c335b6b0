package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// toolbox is what every handler shares: the vault, the response spool and
// the bucket region cache.
type toolbox struct {
	vault        Vault
	defaultGrant string
	// readOnly: the server offers only read-only tools (serve --read-only);
	// a tool that can also write (s3_presign with PUT) refuses to.
	readOnly bool
	log      *slog.Logger
	spool    *spool
	regions  *regionCache
	now      func() time.Time
	// approvals: writes held for an operator (approval.go).
	approvals Approvals
	// files is the files folder (files.go); nil without one.
	files *files
}

func newToolbox(d Deps) *toolbox {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &toolbox{
		vault:        d.Vault,
		defaultGrant: d.DefaultGrant,
		log:          log,
		spool:        newSpool(d.SpoolDir),
		regions:      newRegionCache(4096),
		now:          time.Now,
		approvals:    d.Approvals,
	}
}

// reflector makes input schemas from argument structs: one tree, no $id or
// $ref, required only where a field says so, no other properties.
var reflector = jsonschema.Reflector{
	Anonymous:                  true,
	DoNotReference:             true,
	ExpandedStruct:             true,
	RequiredFromJSONSchemaTags: true,
}

// schemaOf is the input schema of the argument struct T.
func schemaOf[T any]() json.RawMessage {
	s := reflector.Reflect(new(T))
	s.Version = ""
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("schema of %T: %v", *new(T), err))
	}
	return b
}

// newTool is a tool definition with an input schema reflected from T.
// Every tool sets its four annotation hints itself; a test checks it.
//
// R is the tool's result type: its schema, reflected the same way, is the
// tool's output schema, which clients that validate (the TypeScript SDK)
// hold every successful result to. Error results (errorBody, isError true)
// are not held to it.
//
// Definitions are kept once made (toolDefs): reflecting and encoding the
// schemas is most of what making a server costs, and Warm makes them while
// the program does its other start-up work.
func newTool[T, R any](name, description string, a mcp.ToolAnnotation) toolDef[T] {
	key := toolKey{name, description, reflect.TypeFor[T](), reflect.TypeFor[R]()}
	if t, ok := toolDefs.Load(key); ok {
		return toolDef[T]{withAnnotations(t.(mcp.Tool), a)}
	}
	t := mcp.NewToolWithRawSchema(name, description, schemaOf[T]())
	t.RawOutputSchema = outputSchemaOf[R]()
	toolDefs.Store(key, t)
	return toolDef[T]{withAnnotations(t, a)}
}

// toolDef is a tool's definition, with the type its arguments bind to.
type toolDef[T any] struct{ mcp.Tool }

// handle is the tool of def in toolset set. run is called with the call's
// arguments bound to T; a call whose arguments do not fit T is answered
// invalid_arguments, saying which argument is wrong, without calling it.
func (def toolDef[T]) handle(set string, run func(ctx context.Context, req mcp.CallToolRequest, args T) (*mcp.CallToolResult, error)) tool {
	return tool{toolset: set, def: def.Tool, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[T](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		return run(ctx, req, args)
	}}
}

// toolDefs keeps the tool definitions newTool made, by toolKey, without
// their annotations (which a caller may set apart): the schemas are the
// same for the same types, name and description. What is kept is never
// changed; servers share it.
var toolDefs sync.Map

type toolKey struct {
	name, description string
	args, result      reflect.Type
}

func withAnnotations(t mcp.Tool, a mcp.ToolAnnotation) mcp.Tool {
	t.Annotations = a
	return t
}

// Warm makes every tool's definition (its schemas, reflected and encoded)
// and keeps it, once: a program calls it in a goroutine of its own before
// it opens the vault, so that the two run side by side, and Register waits
// for it rather than doing the same work again on the same cores.
func Warm() { warmOnce.Do(func() { allTools(newToolbox(Deps{})) }) }

var warmOnce sync.Once

// outputReflector makes output schemas from result structs: one tree, no
// $id or $ref; every field without omitempty is required, since every
// result has it, so a client may rely on it; and a result may carry
// properties a newer server adds (additionalProperties is left open), so
// that an older client's validation does not fail on them.
var outputReflector = jsonschema.Reflector{
	Anonymous:                 true,
	DoNotReference:            true,
	ExpandedStruct:            true,
	AllowAdditionalProperties: true,
}

// outputSchemaOf is the output schema of a tool whose results are R: an
// object that is either an R or, for a result with isError set, an
// errorBody. Clients validate both (the TypeScript SDK checks any
// structured content against the schema, errors included).
func outputSchemaOf[R any]() json.RawMessage {
	b, err := json.Marshal(map[string]any{
		"type":  "object",
		"anyOf": []any{reflectOutput[R](), reflectOutput[errorBody]()},
	})
	if err != nil {
		panic(fmt.Sprintf("output schema of %T: %v", *new(R), err))
	}
	return b
}

// reflectOutput is the schema of the result struct R, as a JSON tree.
func reflectOutput[R any]() any {
	s := outputReflector.Reflect(new(R))
	s.Version = ""
	b, err := json.Marshal(s)
	var tree any
	if err == nil {
		err = json.Unmarshal(b, &tree)
	}
	if err != nil {
		panic(fmt.Sprintf("output schema of %T: %v", *new(R), err))
	}
	// A field of any type (a response body) reflects as the boolean schema
	// true, valid JSON Schema that some clients' validators (the
	// conformance suite's) refuse: spell it {}, which means the same.
	return openSchemas(tree)
}

// openSchemas replaces the subschemas true under properties and items with {}.
func openSchemas(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, sub := range m {
		switch k {
		case "properties":
			if props, ok := sub.(map[string]any); ok {
				for name, p := range props {
					if p == true {
						props[name] = map[string]any{}
					} else {
						props[name] = openSchemas(p)
					}
				}
			}
		case "items", "additionalProperties":
			if sub == true && k == "items" {
				m[k] = map[string]any{}
			} else {
				m[k] = openSchemas(sub)
			}
		}
	}
	return m
}

// bind decodes a call's arguments into T, refusing unknown arguments so
// that a misspelt one is not silently ignored.
func bind[T any](req mcp.CallToolRequest) (T, error) {
	var args T
	raw, ok := req.GetRawArguments().(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(req.Params.Arguments); err != nil {
			return args, fmt.Errorf("the arguments are not JSON: %v", err)
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&args); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return args, fmt.Errorf("argument %s must be %s, not %s", te.Field, jsonKind(te.Type), te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.TrimPrefix(err.Error(), "json: unknown field ")
			return args, fmt.Errorf("unknown argument %s; the arguments are: %s", field, strings.Join(argNames[T](), ", "))
		}
		return args, fmt.Errorf("the arguments could not be read: %v", err)
	}
	return args, nil
}

// argNames lists the JSON names of T's fields, embedded structs included.
func argNames[T any]() []string {
	var names []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case f.Anonymous && name == "":
				walk(f.Type)
			case name != "" && name != "-":
				names = append(names, name)
			}
		}
	}
	walk(reflect.TypeFor[T]())
	slices.Sort(names)
	return names
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64:
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "an array"
	}
	return t.String()
}

// result is a tool result: structuredContent, and the same JSON as text.
func result(v any) *mcp.CallToolResult {
	b, err := marshal(v)
	if err != nil {
		return errorResult(errorBody{Error: "internal", Message: "the result could not be encoded: " + err.Error()})
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(string(b))},
		StructuredContent: json.RawMessage(b),
	}
}

// marshal is json.Marshal without HTML escaping: results are read by
// models, to whom \u003c is noise.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// errorBody is the result of a call that failed in a way the agent can act
// on: what went wrong and what to do.
type errorBody struct {
	Error   string `json:"error"` // a stable code: invalid_arguments, denied, not_aws, ...
	Message string `json:"message"`
	// For denials: the grant and the rule that refused.
	Grant      string  `json:"grant,omitempty"`
	Rule       string  `json:"rule,omitempty"`
	RetryAfter float64 `json:"retry_after_seconds,omitempty"`
	// For grant choices: the grants the caller may use.
	Grants []grantRef `json:"grants,omitempty"`
	// For AWS error answers.
	Status    int    `json:"status,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	Hint      string `json:"hint,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Sent says whether the request may have reached AWS.
	Sent    bool   `json:"sent"`
	AuditID string `json:"audit_id,omitempty"`
}

type grantRef struct {
	ID   string `json:"grant_id"`
	Name string `json:"name"`
}

// errorResult is a tool error (isError) with structured content.
func errorResult(e errorBody) *mcp.CallToolResult {
	r := result(e)
	r.IsError = true
	return r
}

// invalid is a tool error for arguments the agent can fix.
func invalid(format string, a ...any) *mcp.CallToolResult {
	return errorResult(errorBody{Error: "invalid_arguments", Message: fmt.Sprintf(format, a...)})
}

// session is the caller of a request: the transport's Session, with the
// MCP client and session filled in from mcp-go when the server left them
// out.
func session(ctx context.Context) Session {
	s := SessionFrom(ctx)
	cs := server.ClientSessionFromContext(ctx)
	if s.SessionID == "" && cs != nil {
		s.SessionID = cs.SessionID()
	}
	if s.Client == "" {
		var info mcp.Implementation
		if pi := server.RequestProtocolInfoFromContext(ctx); pi != nil && pi.ClientInfo != nil {
			info = *pi.ClientInfo
		} else if ci, ok := cs.(server.SessionWithClientInfo); ok {
			info = ci.GetClientInfo()
		}
		s.Client = strings.Trim(info.Name+"/"+info.Version, "/")
	}
	return s
}

// readAnnotations are the hints of a tool that only reads from AWS: no
// change, the same answer twice, and the open world of AWS behind it.
func readAnnotations(title string) mcp.ToolAnnotation {
	return mcp.ToolAnnotation{
		Title:           title,
		ReadOnlyHint:    mcp.ToBoolPtr(true),
		DestructiveHint: mcp.ToBoolPtr(false),
		IdempotentHint:  mcp.ToBoolPtr(true),
		OpenWorldHint:   mcp.ToBoolPtr(true),
	}
}

// localReadAnnotations are those of a tool that reads only what the server
// itself holds (the vault's grants, the catalog, kept answers).
func localReadAnnotations(title string) mcp.ToolAnnotation {
	a := readAnnotations(title)
	a.OpenWorldHint = mcp.ToBoolPtr(false)
	return a
}
