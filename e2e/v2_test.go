package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
)

// e2eModel is the model the fake Bedrock answers for.
const e2eModel = "anthropic.claude-3-haiku-20240307-v1:0"

// fakeBedrock answers ListFoundationModels, Converse and InvokeModel (an
// Anthropic messages body) as Bedrock does, for requests whose signature
// aws-sdk-go-v2's verifier accepts; moto has no Bedrock runtime.
func fakeBedrock(t *testing.T, creds aws.Credentials) *httptest.Server {
	t.Helper()
	const text = "hello from the fake Bedrock"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("fake-%d", time.Now().UnixNano()))
		switch p := r.URL.Path; {
		case r.Method == http.MethodGet && strings.HasSuffix(p, "/foundation-models"):
			json.NewEncoder(w).Encode(map[string]any{"modelSummaries": []map[string]any{{
				"modelId": e2eModel, "modelName": "Claude 3 Haiku", "providerName": "Anthropic",
				"inputModalities": []string{"TEXT"}, "outputModalities": []string{"TEXT"},
				"responseStreamingSupported": true, "inferenceTypesSupported": []string{"ON_DEMAND"},
			}}})
		case r.Method == http.MethodPost && strings.HasSuffix(p, "/converse"):
			json.NewEncoder(w).Encode(map[string]any{
				"output":     map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]string{"text": text}}}},
				"stopReason": "end_turn",
				"usage":      map[string]int{"inputTokens": 3, "outputTokens": 5, "totalTokens": 8},
				"metrics":    map[string]int{"latencyMs": 7},
			})
		case r.Method == http.MethodPost && strings.HasSuffix(p, "/invoke"):
			json.NewEncoder(w).Encode(map[string]any{
				"id": "msg_fake", "type": "message", "role": "assistant",
				"content":     []any{map[string]string{"type": "text", "text": text}},
				"stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 3, "output_tokens": 5},
			})
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"message":"the fake Bedrock does not know %s %s"}`, r.Method, p)
		}
	})
	srv := httptest.NewServer(sigcheck.New(creds).Handler(h))
	t.Cleanup(srv.Close)
	return srv
}

// TestSDKv2EveryTool runs every tool with the TypeScript SDK v2 client, which
// validates each result (errors included) against the tool's output schema,
// over streamable HTTP in both protocol eras, against moto and a fake
// Bedrock that check every signature.
func TestSDKv2EveryTool(t *testing.T) {
	nodeBin := node(t)
	endpoint, admin := motoserver.StartWithAdmin(t, "alter-e2e-v2")
	creds := aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	s3moto := motoserver.Start(t)
	s3front := httptest.NewServer(sigcheck.New(creds).Handler(sigcheck.Forward(s3moto)))
	t.Cleanup(s3front.Close)
	bedrock := fakeBedrock(t, creds)

	env := baseEnv(t, "ALTER_MCP_HOME="+t.TempDir(), "AWS_ENDPOINT_URL="+endpoint, "AWS_ENDPOINT_URL_S3="+s3front.URL,
		"AWS_ENDPOINT_URL_BEDROCK="+bedrock.URL, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME="+bedrock.URL)
	withKey := append(env[:len(env):len(env)], "AWS_ACCESS_KEY_ID="+admin.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+admin.SecretAccessKey)
	run(t, withKey, "", "grant", "add", "--name", "e2e", "--from-env")
	run(t, withKey, "", "grant", "add", "--name", "e2e-reader", "--from-env", "--allow-services", "s3", "--read-only")
	key := strings.TrimSpace(run(t, env, "", "caller", "add", "e2e-v2", "--grants", "e2e,e2e-reader"))
	srv := startServer(t, env)
	prefix := fmt.Sprintf("alter-e2e-%d", time.Now().UnixNano()%1e9)

	every := []string{"aws_operations", "aws_request", "aws_whoami", "bedrock_converse", "bedrock_invoke", "bedrock_list_models",
		"list_grants", "read_response", "s3_get", "s3_list", "s3_list_buckets", "s3_presign", "s3_put"}
	for _, era := range []string{"legacy", "2026-07-28"} {
		t.Run(era, func(t *testing.T) {
			cmd := exec.Command(nodeBin, "client_v2.mjs")
			cmd.Env = append(env[:len(env):len(env)], "E2E_ERA="+era, "E2E_HTTP_URL="+srv.url, "E2E_API_KEY="+key,
				"E2E_GRANT=e2e", "E2E_READER_GRANT=e2e-reader", "E2E_PREFIX="+prefix, "E2E_MODEL="+e2eModel)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := runFor(cmd, 2*time.Minute); err != nil {
				t.Fatalf("client_v2.mjs %s: %v\nstdout: %s\nstderr: %s", era, err, stdout.String(), stderr.String())
			}
			var report struct {
				clientReport
				ToolsCalled []string `json:"tools_called"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
				t.Fatalf("client_v2.mjs %s printed no report: %v\n%s", era, err, stdout.String())
			}
			if report.Failed != "" || len(report.Checks) == 0 {
				t.Fatalf("client_v2.mjs %s: check %q failed: %v", era, report.Failed, report.Detail)
			}
			for _, c := range report.Checks {
				if !c.OK {
					t.Errorf("check %q failed", c.Name)
				}
			}
			if !slices.Equal(report.ToolsCalled, every) {
				t.Errorf("the v2 client called %v, want every tool %v", report.ToolsCalled, every)
			}
			t.Logf("client_v2.mjs %s: %d checks passed, %d tools called", era, len(report.Checks), len(report.ToolsCalled))
		})
	}
}

// runFor runs cmd, killing it after d.
func runFor(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("did not finish in %v", d)
	}
}
