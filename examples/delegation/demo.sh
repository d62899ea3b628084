#!/usr/bin/env bash
# Delegation demo on loopback (README.md here): a test OAuth authorization server
# (wba_test_as, 127.0.0.1:8431) issues a user's token; the agent exchanges it for a token naming
# it as actor and bound to its Web Bot Auth key, signs a request with it, and asks wbad
# (127.0.0.1:8432) for a verdict: "agent X acting for user Y". Then the agent tries the user's own
# token, which wbad refuses. Builds nothing: give the binaries (a build with tests has them all).
# usage: demo.sh WBA WBAD WBA_TEST_AS AGENT
#   e.g. demo.sh build/cli/wba build/daemon/wbad build/tests/daemon/token/wba_test_as \
#                build/examples/delegation/wba_delegation_agent
set -euo pipefail
wba=${1:-wba}
wbad=${2:-wbad}
test_as=${3:-wba_test_as}
agent_bin=${4:-wba_delegation_agent}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

as=http://127.0.0.1:8431             # the authorization server; also its issuer identifier
verifier=http://127.0.0.1:8432       # wbad
agent=https://agent.example          # the agent's Signature-Agent URL = its actor id at the AS
audience=https://api.shop.example    # the resource the tokens are for
user=u_248289761001                  # the user the agent acts for

# The agent's Web Bot Auth key. The AS knows its public key (the agent registered with it);
# wbad trusts it for https://agent.example (a deployed wbad would fetch the agent's key
# directory instead: see examples/demo.sh).
"$wba" keygen > "$work/agent.jwk"
"$wba" pubkey "$work/agent.jwk" > "$work/agent.pub.jwk"
echo "{\"keys\": [$(cat "$work/agent.pub.jwk")]}" > "$work/agent.jwks.json"

# The test AS on plain http; it writes its public keys for wbad (--issuer ISS=JWKS_FILE).
"$test_as" --http --port 8431 --jwks-out "$work/as.jwks.json" --audience "$audience" \
  --agent "$agent=$work/agent.pub.jwk" > "$work/as.log" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/as.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/as.log" || { echo "wba_test_as did not start" >&2; exit 1; }

# wbad: the agent's key, the AS as a trusted issuer (http:// issuers need
# --allow-http-directories), this resource's audience, and a token required on every request.
"$wbad" --listen 127.0.0.1:8432 --trust "$agent=$work/agent.jwks.json" \
  --allow-http-directories --issuer "$as=$work/as.jwks.json" --audience "$audience" \
  --token-policy required --log-level warn &
pids+=($!)
for _ in $(seq 100); do curl -sf "$verifier/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$verifier/readyz" >/dev/null || { echo "wbad did not start" >&2; exit 1; }

# The user's token (in real life from the user's OAuth login; the test AS just mints one).
curl -sf -X POST "$as/dev/user-token" -d "sub=$user" -d "scope=orders:read+orders:write" \
  -d "aud=$audience" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' \
  > "$work/user.token"

echo "# the agent exchanges the user's token and presents the result with DPoP"
"$agent_bin" --key "$work/agent.jwk" --agent "$agent" --as "$as" \
  --user-token-file "$work/user.token" --wbad "$verifier" --resource "$audience/orders/42" \
  --scope orders:read --verdict-out "$work/verdict.json"
python3 - "$work/verdict.json" "$user" "$agent" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
ok = (v.get("valid") is True and v.get("token", {}).get("state") == "bound"
      and v.get("binding") == "key+identity" and v.get("principal") == sys.argv[2]
      and v.get("actor") == sys.argv[3])
if not ok:
    sys.exit("the verdict is not 'agent %s acting for %s, binding key+identity':\n%s"
             % (sys.argv[3], sys.argv[2], json.dumps(v, indent=2)))
EOF

echo
echo "# the agent presents the user's own token instead: refused"
status=0
"$agent_bin" --key "$work/agent.jwk" --agent "$agent" --as "$as" \
  --user-token-file "$work/user.token" --wbad "$verifier" --resource "$audience/orders/42" \
  --no-exchange --verdict-out "$work/refused.json" || status=$?
reason=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reason"])' \
  "$work/refused.json" 2>/dev/null || echo "no verdict")
[ "$status" = 1 ] && [ "$reason" = agent_binding_mismatch ] || {
  echo "the user's own token was not refused: exit $status, $reason" >&2
  exit 1
}
echo "# demo passed"
