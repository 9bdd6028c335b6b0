// A real OpenID provider for tests (internal/oauthtest runs it):
// oauth2-mock-server on a loopback port, with an RS256, an ES256 and an
// EdDSA key. It prints {"issuer": URL} once listening, then answers commands, one
// JSON object a line on stdin, with one JSON line on stdout:
//
//   {"op":"token","kid":"rs","claims":{...},"expiresIn":3600}
//       a token the provider signs with key kid; claims are merged into its
//       payload (null deletes one)
//   {"op":"foreign","kid":"rs","claims":{...}}
//       a token for this issuer signed with a key it does not publish
//   {"op":"addkey","kid":"rs2","alg":"RS256"}
//       a new key in the published set (a rotation)
//
// Client-credentials tokens from its token endpoint carry the client id as
// sub and client_id, and the requested resource (RFC 8707) as aud.
import { createInterface } from 'node:readline';
import { OAuth2Issuer, OAuth2Server, Events } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256', { kid: 'rs' });
await server.issuer.keys.generate('ES256', { kid: 'es' });
await server.issuer.keys.generate('EdDSA', { kid: 'ed', crv: 'Ed25519' });

server.service.on(Events.BeforeTokenSigning, (token, req) => {
  const body = req.body ?? {};
  if (body.grant_type !== 'client_credentials') return;
  let clientId = body.client_id;
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Basic ')) {
    clientId = decodeURIComponent(Buffer.from(auth.slice(6), 'base64').toString().split(':')[0]);
  }
  token.payload.sub = clientId;
  token.payload.client_id = clientId;
  if (body.resource) token.payload.aud = body.resource;
});

await server.start(0, '127.0.0.1');
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
const issuer = server.issuer.url;

// A provider of the same name that nobody can discover: its keys are
// foreign to the real one.
const foreign = new OAuth2Issuer();
foreign.url = issuer;
await foreign.keys.generate('RS256', { kid: 'rs' });
await foreign.keys.generate('RS256', { kid: 'ghost' });

const merge = (claims) => (_header, payload) => {
  for (const [k, v] of Object.entries(claims ?? {})) {
    if (v === null) delete payload[k];
    else payload[k] = v;
  }
};

console.log(JSON.stringify({ issuer }));
// One command at a time, in order; stdin's end stops the provider.
for await (const line of createInterface({ input: process.stdin })) {
  let out;
  try {
    const cmd = JSON.parse(line);
    switch (cmd.op) {
      case 'token':
      case 'foreign': {
        const iss = cmd.op === 'token' ? server.issuer : foreign;
        out = { token: await iss.buildToken({ kid: cmd.kid, scopesOrTransform: merge(cmd.claims), expiresIn: cmd.expiresIn }) };
        break;
      }
      case 'addkey':
        await server.issuer.keys.generate(cmd.alg ?? 'RS256', { kid: cmd.kid });
        out = { ok: true };
        break;
      default:
        out = { error: `unknown op ${cmd.op}` };
    }
  } catch (e) {
    out = { error: String(e) };
  }
  console.log(JSON.stringify(out));
}
await server.stop();
