package tools

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// --- bedrock_list_models

type bedrockListModelsArgs struct {
	Region         string `json:"region,omitempty" jsonschema_description:"The region whose models to list; by default the grant's only allowed region, else us-east-1."`
	Provider       string `json:"provider,omitempty" jsonschema_description:"Only this provider's models: Anthropic, Amazon, Meta, Mistral AI, Cohere, ..."`
	OutputModality string `json:"output_modality,omitempty" jsonschema:"enum=TEXT,enum=IMAGE,enum=EMBEDDING" jsonschema_description:"Only models whose output is of this kind."`
	InferenceType  string `json:"inference_type,omitempty" jsonschema:"enum=ON_DEMAND,enum=PROVISIONED" jsonschema_description:"Only models that can be invoked this way."`
	callArgs
}

type modelInfo struct {
	ModelID          string   `json:"model_id"`
	Name             string   `json:"name,omitempty"`
	Provider         string   `json:"provider,omitempty"`
	InputModalities  []string `json:"input_modalities,omitempty"`
	OutputModalities []string `json:"output_modalities,omitempty"`
	Streaming        bool     `json:"streaming"`
	InferenceTypes   []string `json:"inference_types,omitempty"`
	Lifecycle        string   `json:"lifecycle,omitempty"`
}

type listModelsResult struct {
	Region    string      `json:"region"`
	Models    []modelInfo `json:"models"`
	RequestID string      `json:"request_id,omitempty"`
	AuditID   string      `json:"audit_id,omitempty"`
}

func (b *bedrock) listModels() tool {
	def := newTool[bedrockListModelsArgs, listModelsResult]("bedrock_list_models",
		"List the foundation models Bedrock offers in a region (ListFoundationModels): model ids, names, providers, input and output modalities (TEXT, IMAGE, EMBEDDING), "+
			"whether they stream, and how they can be invoked (ON_DEMAND; a model with only INFERENCE_PROFILE is called through an inference profile id such as us.MODEL_ID). "+
			"Start here to pick a model_id for bedrock_converse or bedrock_invoke. A listed model may still need its access enabled for the account.",
		readAnnotations("List Bedrock models"))
	return def.handle(toolsetBedrock, func(ctx context.Context, req mcp.CallToolRequest, args bedrockListModelsArgs) (*mcp.CallToolResult, error) {
		g, res := b.tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		region := strings.ToLower(strings.TrimSpace(args.Region))
		if region == "" {
			region = defaultRegion(g)
		}
		if !regionPattern().MatchString(region) {
			return invalid("region %q is not an AWS region such as us-east-1", text.Clip(region, 40)), nil
		}
		q := map[string]string{}
		for k, v := range map[string]string{"byProvider": args.Provider, "byOutputModality": args.OutputModality, "byInferenceType": args.InferenceType} {
			if v = strings.TrimSpace(v); v != "" {
				q[k] = v
			}
		}
		u := "https://" + urlparse.Host("bedrock", region) + "/foundation-models"
		if len(q) > 0 {
			u += "?" + urlparse.EncodeQuery(q)
		}
		out, res := b.send(ctx, req, g, args.callArgs, vault.Call{Method: http.MethodGet, URL: u})
		if res != nil {
			return res, nil
		}
		data, err := io.ReadAll(io.LimitReader(out.resp.Body, maxJSONAnswer))
		if err != nil {
			return b.readFailed(ctx, out, err), nil
		}
		var x struct {
			ModelSummaries []struct {
				ModelID                    string   `json:"modelId"`
				ModelName                  string   `json:"modelName"`
				ProviderName               string   `json:"providerName"`
				InputModalities            []string `json:"inputModalities"`
				OutputModalities           []string `json:"outputModalities"`
				ResponseStreamingSupported bool     `json:"responseStreamingSupported"`
				InferenceTypesSupported    []string `json:"inferenceTypesSupported"`
				ModelLifecycle             struct {
					Status string `json:"status"`
				} `json:"modelLifecycle"`
			} `json:"modelSummaries"`
		}
		if err := json.Unmarshal(data, &x); err != nil {
			return b.badAnswer(ctx, out, err), nil
		}
		r := listModelsResult{Region: region, Models: make([]modelInfo, 0, len(x.ModelSummaries)), RequestID: awserr.RequestID(out.resp.Header)}
		for _, m := range x.ModelSummaries {
			r.Models = append(r.Models, modelInfo{ModelID: m.ModelID, Name: m.ModelName, Provider: m.ProviderName,
				InputModalities: m.InputModalities, OutputModalities: m.OutputModalities, Streaming: m.ResponseStreamingSupported,
				InferenceTypes: m.InferenceTypesSupported, Lifecycle: m.ModelLifecycle.Status})
		}
		out.resp.Body.Close()
		r.AuditID = b.tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	})
}
