#!/usr/bin/env bash
# Demo: an agent generates an Ed25519 key, signs a request, and a verifier checks it.
set -euo pipefail
wba=${1:-wba}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$wba" keygen --alg ed25519 > "$work/agent.jwk"
"$wba" pubkey "$work/agent.jwk" > "$work/agent.pub.jwk"
echo "# key thumbprint (the keyid): $("$wba" thumbprint "$work/agent.jwk")"

printf 'GET /articles/42?lang=en HTTP/1.1\nHost: example.com\nAccept: application/json\n\n' \
  > "$work/request.http"
now=$(date +%s)
"$wba" sign --key "$work/agent.jwk" --components '"@method" "@authority" "@path" "accept"' \
  --expires $((now + 60)) --tag demo "$work/request.http" > "$work/signed.http"
echo "# signed request:"
cat "$work/signed.http"
echo "# verifier's verdict:"
"$wba" verify --key "$work/agent.pub.jwk" "$work/signed.http"

echo "# the same request with a changed path must fail:"
sed 's#/articles/42#/articles/43#' "$work/signed.http" > "$work/tampered.http"
if "$wba" verify --key "$work/agent.pub.jwk" "$work/tampered.http"; then
  echo "tampered request verified: this is a bug" >&2
  exit 1
fi
echo "# ok: the tampered request was refused"
