// Drives alter-mcp with the official MCP TypeScript SDK client, as a real
// host does (the initialize handshake), over stdio or streamable HTTP, and
// makes real calls through the vault to an AWS emulator (moto).
//
//   node client.mjs stdio   spawns $ALTER_MCP_BIN serve --caller $E2E_STDIO_CALLER
//   node client.mjs http    connects to $E2E_HTTP_URL with $E2E_API_KEY
//
// The environment also names the grants ($E2E_GRANT, full access, and
// $E2E_READER_GRANT, read-only S3) and a unique $E2E_PREFIX for the bucket and
// table this run creates. The binary inherits the environment: ALTER_MCP_HOME
// (the vault) and AWS_ENDPOINT_URL (moto). e2e_test.go sets all of it up.
//
// It prints one JSON object with what it saw and exits 1 on the first check
// that fails.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { newReport } from "./report.mjs";

const mode = process.argv[2];

const { report, check, env } = newReport(mode);

// result returns a tool result's JSON: its structured content, or its text.
function result(res) {
  if (res.structuredContent) return res.structuredContent;
  const text = res.content?.find((c) => c.type === "text")?.text ?? "";
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

async function call(client, name, args) {
  const res = await client.callTool({ name, arguments: args });
  return { isError: !!res.isError, body: result(res), raw: res };
}

async function connect() {
  const client = new Client({ name: `e2e-${mode}`, version: "1.0.0" });
  if (mode === "stdio") {
    const transport = new StdioClientTransport({
      command: env("ALTER_MCP_BIN"),
      args: ["serve", "--caller", env("E2E_STDIO_CALLER")],
      env: { ...process.env },
      stderr: "inherit",
    });
    await client.connect(transport);
    return client;
  }
  if (mode === "http") {
    const url = new URL(env("E2E_HTTP_URL"));
    // Without the key the server answers 401.
    const anon = new Client({ name: "e2e-anonymous", version: "1.0.0" });
    let refused = false;
    try {
      await anon.connect(new StreamableHTTPClientTransport(url));
    } catch (e) {
      refused = /401|nauthorized/.test(String(e?.message ?? e)) || e?.code === 401;
      report.anonymous_error = String(e?.message ?? e).slice(0, 200);
    }
    check("http: refused without an API key", refused, report.anonymous_error);
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${env("E2E_API_KEY")}` } },
    });
    await client.connect(transport);
    return client;
  }
  throw new Error(`usage: node client.mjs stdio|http (got ${mode})`);
}

const region = "us-east-1";
const grant = env("E2E_GRANT");
const reader = env("E2E_READER_GRANT");
const prefix = env("E2E_PREFIX");
const bucket = `${prefix}-${mode}`;
const table = `${prefix}-${mode}`;
const reason = (what) => `e2e ${mode}: ${what}`;

const client = await connect();
try {
  report.server = client.getServerVersion();
  report.protocol = client.transport?.protocolVersion ?? null;
  check("server is alter-mcp", report.server?.name === "alter-mcp", report.server);

  // tools/list
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  report.tools = names;
  for (const want of ["list_grants", "aws_whoami", "aws_request", "s3_list", "s3_get", "s3_put"]) {
    check(`tools/list offers ${want}`, names.includes(want), names);
  }

  // list_grants: the grants this caller may use.
  const grants = await call(client, "list_grants", {});
  const grantNames = (grants.body.grants ?? []).map((g) => g.name);
  check("list_grants shows the caller's grants", !grants.isError && grantNames.includes(grant) && grantNames.includes(reader), grants.body);

  // aws_whoami: STS GetCallerIdentity, signed in the vault, checked by moto.
  const who = await call(client, "aws_whoami", { grant_id: grant, reason: reason("who am I") });
  check("aws_whoami", !who.isError && /^arn:aws:iam::\d{12}:user\//.test(who.body.arn ?? ""), who.body);
  report.arn = who.body.arn;

  // Set up a bucket and a table through aws_request.
  const mk = await call(client, "aws_request", {
    grant_id: grant, method: "PUT", url: `https://${bucket}.s3.${region}.amazonaws.com/`, reason: reason("create a bucket"),
  });
  check("aws_request: S3 CreateBucket", !mk.isError && mk.body.status === 200, mk.body);

  // s3_put, s3_list, s3_get
  const content = `hello from ${mode} at ${new Date().toISOString()}\n`;
  const put = await call(client, "s3_put", { grant_id: grant, bucket, key: "notes/hello.txt", content, reason: reason("write a note") });
  check("s3_put", !put.isError, put.body);
  const list = await call(client, "s3_list", { grant_id: grant, bucket, prefix: "notes/", reason: reason("list notes") });
  check("s3_list", !list.isError && (list.body.objects ?? []).some((o) => o.key === "notes/hello.txt"), list.body);
  const get = await call(client, "s3_get", { grant_id: grant, bucket, key: "notes/hello.txt", reason: reason("read the note") });
  check("s3_get returns what s3_put wrote", !get.isError && get.body.content === content, get.body);

  // Keys with spaces, unicode, '+' and '%' (signed for S3's encoding rules).
  const odd = ["odd keys/a b.txt", "odd keys/ünïcödé ☃.txt", "odd keys/1+1=2.txt", "odd keys/100% done.txt"];
  for (const key of odd) {
    const p = await call(client, "s3_put", { grant_id: grant, bucket, key, content: `body of ${key}`, reason: reason("write an odd key") });
    check(`s3_put ${JSON.stringify(key)}`, !p.isError, p.body);
  }
  const oddList = await call(client, "s3_list", { grant_id: grant, bucket, prefix: "odd keys/", delimiter: "/", reason: reason("list odd keys") });
  const listed = (oddList.body.objects ?? []).map((o) => o.key).sort();
  check("s3_list returns odd keys exactly", !oddList.isError && JSON.stringify(listed) === JSON.stringify([...odd].sort()), oddList.body);
  for (const key of odd) {
    const g = await call(client, "s3_get", { grant_id: grant, bucket, key, reason: reason("read an odd key") });
    check(`s3_get ${JSON.stringify(key)}`, !g.isError && g.body.content === `body of ${key}`, g.body);
  }

  // s3_get with continuation: a 40 KB object in 16 KB slices.
  const big = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, "0")} of the big object, ${mode}\n`).join("");
  const bp = await call(client, "s3_put", { grant_id: grant, bucket, key: "notes/big.txt", content: big, reason: reason("write a big note") });
  check("s3_put big", !bp.isError, bp.body);
  let got = "", offset = 0, slices = 0;
  for (;;) {
    const g = await call(client, "s3_get", { grant_id: grant, bucket, key: "notes/big.txt", offset, max_bytes: 16384, reason: reason("read the big note") });
    if (g.isError) { check("s3_get slice", false, g.body); break; }
    got += g.body.content ?? "";
    slices++;
    if (!g.body.truncated) break;
    offset = g.body.next_offset;
    if (slices > 10) break;
  }
  check("s3_get with continuation reads the whole object", got === big && slices >= 3, { slices, length: got.length, want: big.length });

  // DynamoDB through aws_request: CreateTable, PutItem, GetItem.
  const ddb = `https://dynamodb.${region}.amazonaws.com/`;
  const dynamo = (target, json, what) =>
    call(client, "aws_request", {
      grant_id: grant, method: "POST", url: ddb, headers: { "X-Amz-Target": `DynamoDB_20120810.${target}` }, json, reason: reason(what),
    });
  const ct = await dynamo("CreateTable", {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  }, "create a table");
  check("aws_request: DynamoDB CreateTable", !ct.isError && ct.body.status === 200, ct.body);
  const pi = await dynamo("PutItem", { TableName: table, Item: { pk: { S: "greeting" }, text: { S: content } } }, "store an item");
  check("aws_request: DynamoDB PutItem", !pi.isError && pi.body.status === 200 && pi.body.action === "dynamodb:PutItem", pi.body);
  const gi = await dynamo("GetItem", { TableName: table, Key: { pk: { S: "greeting" } } }, "read the item");
  check("aws_request: DynamoDB GetItem", !gi.isError && gi.body.status === 200 && gi.body.body?.Item?.text?.S === content, gi.body);

  // A policy denial: the read-only grant may not write.
  const denied = await call(client, "s3_put", { grant_id: reader, bucket, key: "notes/denied.txt", content: "no", reason: reason("try a write with a read-only grant") });
  const deniedText = JSON.stringify(denied.body);
  check("a write with a read-only grant is denied", denied.isError && /read.?only|denied/i.test(deniedText), denied.body);
  report.denial = denied.body;

  // A URL that is not AWS is refused before anything is signed.
  const notAWS = await call(client, "aws_request", { grant_id: grant, url: "https://example.com/steal", reason: reason("try a URL that is not AWS") });
  check("a URL that is not AWS is refused", notAWS.isError && /not an AWS|AWS URL|not AWS/i.test(JSON.stringify(notAWS.body)), notAWS.body);
  report.not_aws = notAWS.body;
} finally {
  await client.close();
}
console.log(JSON.stringify(report, null, 2));
