// Signs in to alter-mcp with OAuth, as a machine client does, using the
// official MCP TypeScript SDK v2 client (@modelcontextprotocol/client): its
// ClientCredentialsProvider finds the authorization server in the server's
// Protected Resource Metadata, gets a token for the server's URL
// (client_credentials, client_secret_basic) and sends it over streamable
// HTTP. oauth_test.go runs it against the built binary and oauth2-mock-server
// (idp.mjs).
//
//   E2E_HTTP_URL   the server's /mcp URL        E2E_ISSUER  the provider
//   E2E_CLIENT_ID  the OAuth client              E2E_GRANT   a grant it may use
//   E2E_S3_URL     an S3 URL to read through the vault
//
// It prints one JSON object with the checks it made, and exits 1 on the
// first that fails.
import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { newReport } from "./report.mjs";

const { report, check, env } = newReport("oauth");

const url = new URL(env("E2E_HTTP_URL"));
const issuer = env("E2E_ISSUER");

// What any client sees first: a 401 that names the metadata.
const bare = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bare", version: "0" } } }),
});
const challenge = bare.headers.get("www-authenticate") ?? "";
check("oauth: 401 without a token names resource_metadata", bare.status === 401 && challenge.includes("resource_metadata="), { status: bare.status, challenge });
const metaURL = challenge.match(/resource_metadata="([^"]+)"/)[1];
const meta = await (await fetch(metaURL)).json();
check("oauth: the metadata names this resource and the issuer", meta.resource === url.href && meta.authorization_servers?.[0] === issuer, meta);

const provider = new ClientCredentialsProvider({
  clientId: env("E2E_CLIENT_ID"),
  clientSecret: "e2e-secret",
  scope: "alter-mcp",
  expectedIssuer: issuer,
});
const client = new Client({ name: "e2e-oauth", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
check("oauth: signed in with client credentials", !!provider.tokens()?.access_token, provider.tokens());
check("server is alter-mcp", client.getServerVersion()?.name === "alter-mcp", client.getServerVersion());

const tools = await client.listTools();
check("tools/list offers aws_request", tools.tools.some((t) => t.name === "aws_request"));

const text = (res) => res.structuredContent ?? JSON.parse(res.content?.find((c) => c.type === "text")?.text ?? "{}");
const grants = text(await client.callTool({ name: "list_grants", arguments: {} }));
check("list_grants shows the caller's grants", JSON.stringify(grants).includes(env("E2E_GRANT")), grants);

const res = await client.callTool({
  name: "aws_request",
  arguments: { grant_id: env("E2E_GRANT"), url: env("E2E_S3_URL"), reason: "e2e oauth: list the bucket" },
});
const body = text(res);
check("aws_request as the token's caller", !res.isError && body.status === 200, body);
check("the result does not hold the token", !JSON.stringify(res).includes(provider.tokens().access_token));

await client.close();
console.log(JSON.stringify(report, null, 2));
