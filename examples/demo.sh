#!/usr/bin/env bash
# Demo of the whole flow on loopback: an agent generates a key and publishes its signed key
# directory (served on 127.0.0.1:8422), signs a request; wbad (127.0.0.1:8421) fetches the
# directory, verifies the request, and refuses a tampered and a replayed copy.
# usage: demo.sh WBA WBAD     (DEMO_ONLY=1: stop wbad after the demo instead of keeping it running)
set -euo pipefail
wba=${1:-wba}
wbad=${2:-wbad}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

agent=http://127.0.0.1:8422
"$wba" keygen > "$work/agent.jwk"
echo "# agent key thumbprint (its keyid): $("$wba" thumbprint "$work/agent.jwk")"
"$wba" directory --key "$work/agent.jwk" --authority 127.0.0.1:8422 > "$work/directory.http"
python3 "$here/serve_directory.py" "$work/directory.http" 8422 2>/dev/null &
pids+=($!)

# Directories are normally https on public addresses; the demo's is http on loopback, so wbad
# is told to allow exactly that. Everything else is wbad's embedded defaults (127.0.0.1:8421).
"$wbad" --allow-http-directories --allow-private-fetch --allow-directory-port 8422 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:8421/readyz >/dev/null 2>&1 && curl -sf "$agent/.well-known/http-message-signatures-directory" >/dev/null 2>&1 && break
  sleep 0.1
done

printf 'GET /articles/42 HTTP/1.1\nHost: shop.example\n\n' > "$work/request.http"
"$wba" sign --profile web-bot-auth --key "$work/agent.jwk" --signature-agent "$agent" \
  --components '"@method" "@path"' "$work/request.http" > "$work/signed.http"
echo "# the agent's signed request:"
cat "$work/signed.http"
hdr() { sed -n "s/^$1: //p" "$work/signed.http"; }
ask() {  # ask PATH: what a proxy would ask wbad (forward-auth), printing status and identity
  curl -s -o /dev/null -w '%{http_code}' -D "$work/answer" http://127.0.0.1:8421/v1/auth/forward \
    -H "X-Forwarded-Method: GET" -H "X-Forwarded-Host: shop.example" -H "X-Forwarded-Uri: $1" \
    -H "Signature-Agent: $(hdr Signature-Agent)" -H "Signature-Input: $(hdr Signature-Input)" \
    -H "Signature: $(hdr Signature)"
}
status=$(ask /articles/42)
echo "# wbad's answer for the request: HTTP $status"
grep -i '^x-agent-' "$work/answer"
[ "$status" = 200 ] || { echo "the signed request was not verified" >&2; exit 1; }
status=$(ask /articles/43)
echo "# the same signature on another path: HTTP $status ($(sed -n 's/^X-Agent-Reason: //Ip' "$work/answer" | tr -d '\r'))"
[ "$status" = 401 ] || { echo "a tampered request was accepted" >&2; exit 1; }
status=$(ask /articles/42)
echo "# the first request sent again: HTTP $status ($(sed -n 's/^X-Agent-Reason: //Ip' "$work/answer" | tr -d '\r'))"
[ "$status" = 401 ] || { echo "a replayed request was accepted" >&2; exit 1; }

if [ "${DEMO_ONLY:-0}" = 1 ]; then exit 0; fi
echo "# wbad keeps running on 127.0.0.1:8421 (Ctrl-C stops it); see docs/API.md"
wait "${pids[1]}"
