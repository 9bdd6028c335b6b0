// A write held for an operator's approval, with the official MCP TypeScript
// SDK v2 client (@modelcontextprotocol/client) as an MCP client that can
// show URLs but not forms (elicitation capability {url: {}}), over
// streamable HTTP, in one protocol era ($E2E_ERA: legacy or 2026-07-28).
//
// s3_put on a confirm_writes grant ($E2E_CONFIRM_GRANT): the server sends
// the client to the console's approval page (URL elicitation); the client
// "opens" it (accept) and the call waits, until the Go test approves it
// with `alter-mcp approve`; the object is then read back with
// $E2E_READER_GRANT ($E2E_ADMIN_GRANT makes the bucket). A second write whose page the user declines is
// refused. Prints one JSON report (report.mjs), with the URLs it was sent
// to.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { newReport } from "./report.mjs";

const era = process.env.E2E_ERA ?? "";
const { report, check, env } = newReport(`approve-v2-${era}`);
report.urls = [];

let answer = "accept";
const client = new Client(
  { name: "e2e-approve-v2", version: "2.0.0" },
  {
    capabilities: { elicitation: { url: {} } },
    versionNegotiation: era === "legacy" ? { mode: "legacy" } : { mode: { pin: era } },
  },
);
client.setRequestHandler("elicitation/create", async (request) => {
  report.urls.push({ mode: request.params.mode, url: request.params.url, id: request.params.elicitationId });
  return { action: answer };
});
await client.connect(
  new StreamableHTTPClientTransport(new URL(env("E2E_HTTP_URL")), {
    requestInit: { headers: { Authorization: `Bearer ${env("E2E_API_KEY")}` } },
  }),
);

const bucket = `${env("E2E_PREFIX")}-${era === "legacy" ? "legacy" : "modern"}`;
const key = `approved-${era}.txt`;
const body = (res) => res.structuredContent ?? JSON.parse(res.content?.find((c) => c.type === "text")?.text ?? "{}");
try {
  let res = await client.callTool({ name: "aws_request", arguments: { grant_id: env("E2E_ADMIN_GRANT"), method: "PUT", url: `https://s3.us-east-1.amazonaws.com/${bucket}` } });
  check("the bucket was made", !res.isError, body(res));
  res = await client.callTool(
    { name: "s3_put", arguments: { grant_id: env("E2E_CONFIRM_GRANT"), bucket, key, content: "approved by an operator", reason: `e2e ${era}: publish` } },
    { timeout: 90_000 },
  );
  check("the approved write succeeded", !res.isError, body(res));
  check("the client was sent to the approval page once, by URL", report.urls.length === 1 && report.urls[0].mode === "url", report.urls);
  // The page names the approval; so does the elicitation's id where the
  // era's request carries one (the 2026-07-28 input request keys it instead).
  const page = report.urls[0].url?.match(/^(.*)\/approvals\/(apr_[a-z2-7]{26})$/);
  check("the page is the console's page of that approval",
    page && page[1] === env("E2E_CONSOLE_URL") && (report.urls[0].id === undefined || report.urls[0].id === page[2]), report.urls[0]);
  report.approval = page[2];

  res = await client.callTool({ name: "s3_get", arguments: { grant_id: env("E2E_READER_GRANT"), bucket, key } });
  check("the object was written", !res.isError && body(res).content === "approved by an operator", body(res));

  answer = "decline";
  res = await client.callTool(
    { name: "s3_put", arguments: { grant_id: env("E2E_CONFIRM_GRANT"), bucket, key: `declined-${era}.txt`, content: "x" } },
    { timeout: 90_000 },
  );
  check("a write whose page the user declined is refused", res.isError && body(res).error === "declined", body(res));
} catch (e) {
  check("no exception", false, String(e?.stack ?? e).slice(0, 1000));
} finally {
  await client.close();
}
console.log(JSON.stringify(report, null, 2));
