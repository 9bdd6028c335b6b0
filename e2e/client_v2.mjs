// Runs every alter-mcp tool with the official MCP TypeScript SDK v2 client
// (@modelcontextprotocol/client), which validates each result against the
// tool's output schema, over streamable HTTP, in one protocol era:
//
//   E2E_ERA=legacy       the initialize handshake (2025-era revisions)
//   E2E_ERA=2026-07-28   no handshake, _meta on every request (pinned)
//
// The environment names the server ($E2E_HTTP_URL, $E2E_API_KEY), the grants
// ($E2E_GRANT, full access; $E2E_READER_GRANT, read-only S3), a unique
// $E2E_PREFIX for the bucket, and the Bedrock model ($E2E_MODEL) the fake
// Bedrock of e2e_test.go answers for. It prints one JSON object with what it
// saw and exits 1 on the first check that fails; a result off its output
// schema fails the call inside the SDK, and so the run.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { newReport } from "./report.mjs";

const era = process.env.E2E_ERA ?? "";
const { report, check, env } = newReport(`v2-${era}`);
const mode = report.mode;
report.tools_called = [];

const client = new Client(
  { name: "e2e-v2", version: "2.0.0" },
  { versionNegotiation: era === "legacy" ? { mode: "legacy" } : { mode: { pin: era } } },
);
await client.connect(
  new StreamableHTTPClientTransport(new URL(env("E2E_HTTP_URL")), {
    requestInit: { headers: { Authorization: `Bearer ${env("E2E_API_KEY")}` } },
  }),
);

async function call(name, args) {
  report.tools_called.push(name);
  let res;
  try {
    res = await client.callTool({ name, arguments: args });
  } catch (e) {
    check(`${name}: the SDK accepts the result`, false, String(e?.message ?? e).slice(0, 500));
  }
  const text = res.content?.find((c) => c.type === "text")?.text ?? "{}";
  const body = res.structuredContent ?? JSON.parse(text);
  check(`${name}: structured content is the text`, JSON.stringify(body) === JSON.stringify(JSON.parse(text)), { text, body });
  return { isError: !!res.isError, body };
}

const grant = env("E2E_GRANT");
const reader = env("E2E_READER_GRANT");
const region = "us-east-1";
const bucket = `${env("E2E_PREFIX")}-v2-${era === "legacy" ? "legacy" : "modern"}`;
const model = env("E2E_MODEL");
const reason = (what) => `e2e ${mode}: ${what}`;

try {
  report.server = client.getServerVersion();
  check("server is alter-mcp", report.server?.name === "alter-mcp", report.server);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  report.tools = names;
  const every = [
    "aws_operations", "aws_request", "aws_whoami", "bedrock_converse", "bedrock_invoke", "bedrock_list_models",
    "list_grants", "read_response", "s3_get", "s3_list", "s3_list_buckets", "s3_presign", "s3_put",
  ];
  check("tools/list offers every tool", JSON.stringify(names) === JSON.stringify(every), names);
  check("every tool declares an output schema", tools.every((t) => t.outputSchema?.type === "object"), tools.filter((t) => !t.outputSchema).map((t) => t.name));

  const grants = await call("list_grants", {});
  check("list_grants", !grants.isError && grants.body.grants.some((g) => g.name === grant), grants.body);

  const who = await call("aws_whoami", { grant_id: grant, reason: reason("who am I") });
  check("aws_whoami", !who.isError && /^arn:aws:iam::\d{12}:user\//.test(who.body.arn ?? ""), who.body);

  const mk = await call("aws_request", { grant_id: grant, method: "PUT", url: `https://${bucket}.s3.${region}.amazonaws.com/`, reason: reason("create a bucket") });
  check("aws_request", !mk.isError && mk.body.status === 200, mk.body);

  const content = "x".repeat(3000) + "\n";
  const put = await call("s3_put", { grant_id: grant, bucket, key: "v2/notes.txt", content, reason: reason("write") });
  check("s3_put", !put.isError && put.body.size === content.length, put.body);

  const list = await call("s3_list", { grant_id: grant, bucket, prefix: "v2", reason: reason("list") });
  check("s3_list", !list.isError && list.body.objects.some((o) => o.key === "v2/notes.txt"), list.body);

  const get = await call("s3_get", { grant_id: grant, bucket, key: "v2/notes.txt", reason: reason("read") });
  check("s3_get", !get.isError && get.body.content === content, get.body);

  const buckets = await call("s3_list_buckets", { grant_id: grant, reason: reason("list buckets") });
  check("s3_list_buckets", !buckets.isError && buckets.body.buckets.some((b) => b.name === bucket), buckets.body);

  const pre = await call("s3_presign", { grant_id: grant, bucket, key: "v2/notes.txt", expires_seconds: 60, reason: reason("share") });
  check("s3_presign", !pre.isError && /X-Amz-Signature=/.test(pre.body.url ?? ""), pre.body);

  const cut = await call("aws_request", { grant_id: grant, url: `https://${bucket}.s3.${region}.amazonaws.com/v2/notes.txt`, max_bytes: 1000, reason: reason("read a slice") });
  check("aws_request cut at max_bytes", !cut.isError && cut.body.truncated === true && !!cut.body.response_id, cut.body);
  const rest = await call("read_response", { response_id: cut.body.response_id, offset: cut.body.next_offset });
  check("read_response", !rest.isError && cut.body.body + rest.body.body === content, rest.body);

  const ops = await call("aws_operations", { service: "s3", query: "get object", limit: 5 });
  check("aws_operations", !ops.isError && JSON.stringify(ops.body).includes("GetObject"), ops.body);

  const models = await call("bedrock_list_models", { grant_id: grant, region, reason: reason("models") });
  check("bedrock_list_models", !models.isError && models.body.models.some((m) => m.model_id === model), models.body);

  const conv = await call("bedrock_converse", { grant_id: grant, model_id: model, region, prompt: "Say hello", max_tokens: 20, reason: reason("chat") });
  check("bedrock_converse", !conv.isError && conv.body.text === "hello from the fake Bedrock", conv.body);

  const inv = await call("bedrock_invoke", {
    grant_id: grant, model_id: model, region, reason: reason("invoke"),
    body: { anthropic_version: "bedrock-2023-05-31", max_tokens: 20, messages: [{ role: "user", content: "Say hello" }] },
  });
  check("bedrock_invoke", !inv.isError && inv.body.text === "hello from the fake Bedrock", inv.body);

  // An error result is structured too, and the SDK holds it to the schema.
  const denied = await call("s3_put", { grant_id: reader, bucket, key: "v2/denied.txt", content: "no", reason: reason("a write with a read-only grant") });
  check("an error result validates and says why", denied.isError && denied.body.error === "denied" && denied.body.sent === false, denied.body);
} finally {
  await client.close();
}
report.tools_called = [...new Set(report.tools_called)].sort();
console.log(JSON.stringify(report, null, 2));
