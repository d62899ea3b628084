// Shows that wba and the JavaScript side compute the same RFC 7638 / RFC 8037 thumbprint (the Web
// Bot Auth keyid) for the same key: keys made by wba and keys made by WebCrypto, compared with
// `wba thumbprint`, web-bot-auth's jwkToKeyID (the jsonwebkey-thumbprint package), an independent
// reference implementation, the keyid web-bot-auth's signer puts in its signatures, and the
// published thumbprints of testvectors/jose/jwk-thumbprints.json.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { assertEqual } = require("../lib/harness");

module.exports = async function thumbprint({ h, wba, pkgs, keys, opts, ALGS, ourKeys, theirKeys }) {
  const { jwkToKeyID, helpers } = pkgs.wba013;
  const packageThumbprint = (jwk) => jwkToKeyID(jwk, helpers.WEBCRYPTO_SHA256, helpers.BASE64URL_DECODE);

  for (const alg of ALGS) {
    const k = ourKeys[alg];
    await h.check(`thumbprint ${alg} key made by wba: wba = web-bot-auth jwkToKeyID = reference`, async () => {
      assertEqual(wba.thumbprint(k.pubPath), k.thumbprint, "wba thumbprint of the public JWK");
      assertEqual(await packageThumbprint(k.pub), k.thumbprint, "jwkToKeyID");
      assertEqual(keys.referenceThumbprint(k.pub), k.thumbprint, "reference");
    });
  }

  for (const alg of ALGS) {
    const k = theirKeys[alg];
    await h.check(`thumbprint ${alg} key made by WebCrypto: wba = web-bot-auth jwkToKeyID = reference`, async () => {
      assertEqual(await packageThumbprint(k.pub), k.thumbprint, "jwkToKeyID");
      assertEqual(keys.referenceThumbprint(k.pub), k.thumbprint, "reference");
      assertEqual(wba.thumbprint(k.privPath), k.thumbprint, "wba thumbprint of the private JWK");
      const pub = wba.pubkey(k.privPath);
      assertEqual(JSON.stringify(keys.publicOnly(pub)), JSON.stringify(keys.publicOnly(k.pub)),
        "wba pubkey of the WebCrypto private JWK");
    });
  }

  // web-bot-auth's signer always uses the thumbprint as keyid (it ignores a JWK "kid").
  for (const alg of ["ed25519", "rsa-pss-sha512"]) {
    for (const [who, k] of [["wba", ourKeys[alg]], ["WebCrypto", theirKeys[alg]]]) {
      await h.check(`thumbprint ${alg} key made by ${who}: web-bot-auth signerFromJWK keyid = wba`, async () => {
        const signer = await pkgs.wba013crypto.signerFromJWK({ ...k.priv, kid: "not-the-thumbprint" });
        assertEqual(signer.keyid, k.thumbprint, "signer keyid");
        assertEqual(signer.alg, alg, "signer alg");
      });
    }
  }
  await h.knownFailure("thumbprint ecdsa-p256-sha256 key made by wba: web-bot-auth signerFromJWK keyid = wba",
    { because: "web-bot-auth@0.1.3 signs only Ed25519 and RSA-PSS", match: /Unsupported key type: EC/ },
    () => pkgs.wba013crypto.signerFromJWK(ourKeys["ecdsa-p256-sha256"].priv));

  const vectorFile = path.join(opts.testvectors, "jose", "jwk-thumbprints.json");
  const vectors = JSON.parse(fs.readFileSync(vectorFile, "utf8")).vectors;
  for (const v of vectors) {
    await h.check(`thumbprint vector ${v.name}: wba = web-bot-auth jwkToKeyID = published`, async () => {
      // wba loads an RSA JWK only with a known algorithm, even just to hash it (docs/INTEROP.md).
      const keyAlg = v.jwk.kty === "RSA" && !v.jwk.alg ? "rsa-pss-sha512" : undefined;
      assertEqual(wba.thumbprint(v.jwk, keyAlg), v.thumbprint, "wba thumbprint");
      assertEqual(await packageThumbprint(v.jwk), v.thumbprint, "jwkToKeyID");
    });
  }
};
