// Shows interop of signed key directory responses (draft-ietf-webbotauth-httpsig-protocol
// App. B.1: one signature per published key, ("@authority";req "content-digest"), tag
// "http-message-signatures-directory"), which rely on the `req` parameter and on responses:
//   - `wba directory` output verified by http-message-sig@0.3.0 and http-message-signatures@1.0.6
//     (every binding signature, plus the Content-Digest and the JWK kids checked in JavaScript);
//   - http-message-sig@0.3.0 signing a directory response, wba verifying it;
//   - web-bot-auth@0.1.3 directoryResponseHeaders, wba verifying it: it covers only
//     ("@authority";req), the pre-ietf form; the signature itself verifies.
// A changed body or Content-Digest must fail on the other side.
"use strict";

const http = require("../lib/http");
const { assert, assertEqual, describe } = require("../lib/harness");

const TAG = "http-message-signatures-directory";
const DIRECTORY_URL = "https://signature-agent.test/.well-known/http-message-signatures-directory";

module.exports = async function directory(ctx) {
  const { h, wba, pkgs, keys, created, ALGS, ourKeys, theirKeys } = ctx;
  const { hms, dh } = pkgs;
  const fetchRequest = () => http.request(DIRECTORY_URL);
  const contentDigest = http.contentDigest;
  const labels = (msg) => [...http.header(msg, "signature-input").matchAll(/(?:^|, )([a-z0-9*_.-]+)=\(/g)].map((m) => m[1]);

  // ---- wba directory, verified by the packages ----------------------------------------------
  const keyList = ALGS.map((alg) => ourKeys[alg]);
  let dir = null;
  await h.check("wba directory: JWK kids are the thumbprints, Content-Digest matches the body", async () => {
    dir = wba.directory(keyList, "signature-agent.test");
    assertEqual(dir.status, 200, "status");
    assertEqual(http.header(dir, "content-digest"), contentDigest(dir.body), "Content-Digest");
    const jwks = JSON.parse(dir.body);
    assertEqual(jwks.keys.length, keyList.length, "key count");
    for (const jwk of jwks.keys) {
      assertEqual(jwk.kid, keys.referenceThumbprint(jwk), "kid");
      assertEqual(await pkgs.wba013.jwkToKeyID(jwk, pkgs.wba013.helpers.WEBCRYPTO_SHA256,
        pkgs.wba013.helpers.BASE64URL_DECODE), jwk.kid, "web-bot-auth jwkToKeyID");
    }
    assertEqual(labels(dir).length, keyList.length, "one signature per key");
  });

  for (const [i, key] of keyList.entries()) {
    await h.check(`wba directory -> http-message-sig@0.3.0 verifies [binding signature ${i + 1}, ${key.alg}]`, async () => {
      assert(dir, "no directory");
      const label = labels(dir)[i];
      const v = await hms.verifySignature(http.descriptor(dir, fetchRequest()), {
        label,
        policy: {
          algorithms: [key.alg],
          requiredComponents: [hms.component("@authority", { req: true }), "content-digest"],
          requiredParameters: ["created", "expires", "keyid", "tag"],
          clockSkew: 5,
          validate: (ok) => ok.parameters.tag === TAG,
        },
        resolveVerifier: async (c) => {
          assertEqual(c.parameters.keyid, key.thumbprint, "keyid");
          return keys.hmsVerifier(hms, key.alg, key.pub);
        },
      });
      assertEqual(v.algorithm, key.alg, "algorithm");
    });

    await h.check(`wba directory -> http-message-signatures@1.0.6 verifies [binding signature ${i + 1}, ${key.alg}]`, async () => {
      assert(dir, "no directory");
      // Only this key is known: verifyMessage then reports this signature's result.
      const r = await dh.httpbis.verifyMessage({
        keyLookup: async (p) => (p.keyid === key.thumbprint && p.tag === TAG
          ? { id: p.keyid, algs: [key.alg], verify: dh.createVerifier(keys.nodePublicKey(key.pub), key.alg) } : null),
        requiredFields: ["@authority", "content-digest"],
        requiredParams: ["created", "expires", "keyid", "tag"],
      }, { status: dir.status, headers: http.headerObject(dir) },
      { method: "GET", url: DIRECTORY_URL, headers: http.headerObject(fetchRequest()) });
      assertEqual(r, true, "verifyMessage");
    });
  }

  await h.check("wba directory, Content-Digest changed -> http-message-sig@0.3.0 rejects", async () => {
    assert(dir, "no directory");
    const body = dir.body.replace('"use":"sig"', '"use":"enc"');
    const changed = http.mapHeaders({ ...dir, body }, (n, v) => (n === "content-digest" ? contentDigest(body) : v));
    let error = null;
    const key = keyList[0];
    await hms.verifySignature(http.descriptor(changed, fetchRequest()), {
      label: labels(dir)[0],
      policy: { algorithms: [key.alg], requiredComponents: [], requiredParameters: [] },
      resolveVerifier: () => keys.hmsVerifier(hms, key.alg, key.pub),
    }).catch((e) => { error = e; });
    assert(error && error.code === "VerificationFailed", `expected VerificationFailed, got ${error ? describe(error) : "success"}`);
  });

  // ---- the packages sign a directory response, wba verifies ---------------------------------
  const signedBy = ALGS.map((alg) => theirKeys[alg]);
  const body = JSON.stringify({ keys: signedBy.map((k) => ({ ...keys.publicOnly(k.pub), kid: keys.referenceThumbprint(k.pub) })) });
  let hmsDir = null;
  await h.check("http-message-sig@0.3.0 signs a directory response (3 keys) -> wba verifies each binding", async () => {
    let fields = null;
    const t = created();
    const unsigned = http.response(200, [["Content-Type", "application/http-message-signatures-directory+json"],
      ["Content-Digest", contentDigest(body)]], body);
    for (const [i, k] of signedBy.entries()) {
      const signer = await keys.hmsSigner(hms, k.alg, k.priv);
      const f = await hms.createSignature(http.descriptor(unsigned, fetchRequest()), {
        label: `binding${i}`,
        components: [hms.component("@authority", { req: true }), "content-digest"],
        parameters: { created: t, expires: t + 3600, keyid: keys.referenceThumbprint(k.pub), tag: TAG },
        signer,
      });
      const headers = new Headers();
      if (fields) { headers.set("signature", fields.signature); headers.set("signature-input", fields.signatureInput); }
      const merged = hms.appendSignature(headers, f);
      fields = { signature: merged.get("signature"), signatureInput: merged.get("signature-input") };
    }
    hmsDir = http.withHeaders(unsigned, [["Signature-Input", fields.signatureInput], ["Signature", fields.signature]]);
    for (const [i, k] of signedBy.entries()) {
      const v = wba.mustVerify(hmsDir, { keys: signedBy, profile: "rfc9421", label: `binding${i}`,
        request: fetchRequest(), extra: ["--tag", TAG] });
      assertEqual(v.key_thumbprint, k.thumbprint, `binding${i} key`);
      assertEqual(v.content_digest_checked, true, "content_digest_checked");
    }
  });
  await h.check("http-message-sig@0.3.0 directory response, body changed -> wba rejects digest_mismatch", () => {
    assert(hmsDir, "nothing signed");
    const changed = { ...hmsDir, body: hmsDir.body.replace("OKP", "OKQ") };
    wba.mustReject(changed, { keys: signedBy, profile: "rfc9421", label: "binding0", request: fetchRequest() }, "digest_mismatch");
  });

  await h.check("web-bot-auth@0.1.3 directoryResponseHeaders (ed25519 + rsa-pss) -> wba verifies each binding (covers only \"@authority\";req)", async () => {
    const ed = theirKeys.ed25519;
    const rsa = theirKeys["rsa-pss-sha512"];
    const signers = [await pkgs.wba013crypto.signerFromJWK(ed.priv), await pkgs.wba013crypto.signerFromJWK(rsa.priv)];
    const t = created();
    const unsigned = http.response(200, [["Content-Type", "application/http-message-signatures-directory+json"]], body);
    const req = fetchRequest();
    const fields = await pkgs.wba013.directoryResponseHeaders(
      { request: { method: "GET", url: req.url, headers: http.headerObject(req) }, response: { status: 200, headers: http.headerObject(unsigned) } },
      signers, { created: new Date(t * 1000), expires: new Date((t + 3600) * 1000) });
    const signed = http.withHeaders(unsigned, [["Signature-Input", fields["Signature-Input"]], ["Signature", fields.Signature]]);
    for (const [label, k] of [["binding0", ed], ["binding1", rsa]]) {
      const v = wba.mustVerify(signed, { keys: [ed, rsa], profile: "rfc9421", label, request: req, extra: ["--tag", TAG] });
      assertEqual(v.key_thumbprint, k.thumbprint, `${label} key`);
      assertEqual(JSON.stringify(v.components), JSON.stringify(['"@authority";req']), `${label} components`);
    }
  });
};
