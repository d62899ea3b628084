// Keys on the JavaScript side: WebCrypto key generation (the keys the packages sign with), key
// import for each package, an independent RFC 7638 thumbprint, and the signer/verifier objects
// http-message-sig@0.3.0 takes (its webcrypto helpers cover Ed25519 and RSA-PSS only; ECDSA P-256
// goes through the same WebCrypto API as a caller-supplied signer, which the package allows).
"use strict";

const nodeCrypto = require("node:crypto");

const subtle = globalThis.crypto.subtle;

// RFC 9421 algorithm name -> WebCrypto parameters.
const WEBCRYPTO = {
  ed25519: {
    gen: { name: "Ed25519" },
    imp: { name: "Ed25519" },
    op: { name: "Ed25519" },
  },
  "rsa-pss-sha512": {
    gen: { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-512" },
    imp: { name: "RSA-PSS", hash: "SHA-512" },
    op: { name: "RSA-PSS", saltLength: 64 },
  },
  "ecdsa-p256-sha256": {
    gen: { name: "ECDSA", namedCurve: "P-256" },
    imp: { name: "ECDSA", namedCurve: "P-256" },
    op: { name: "ECDSA", hash: "SHA-256" },
  },
};

// Generates a key pair with WebCrypto; returns { priv, pub } as exported JWKs (with the ext and
// key_ops members WebCrypto adds, which wba must ignore).
async function generateJwk(alg) {
  const w = WEBCRYPTO[alg];
  const pair = await subtle.generateKey(w.gen, true, ["sign", "verify"]);
  return {
    priv: await subtle.exportKey("jwk", pair.privateKey),
    pub: await subtle.exportKey("jwk", pair.publicKey),
  };
}

// The public members RFC 7638 §3.2 / RFC 8037 App. A.3 hash, in lexicographic order.
const REQUIRED = { OKP: ["crv", "kty", "x"], EC: ["crv", "kty", "x", "y"], RSA: ["e", "kty", "n"] };

function referenceThumbprint(jwk) {
  const members = REQUIRED[jwk.kty];
  if (!members) throw new Error(`no thumbprint members for kty ${jwk.kty}`);
  const canonical = "{" + members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(",") + "}";
  return nodeCrypto.createHash("sha256").update(canonical, "utf8").digest("base64url");
}

function publicOnly(jwk) {
  const out = {};
  for (const m of REQUIRED[jwk.kty]) out[m] = jwk[m];
  return out;
}

async function importPrivate(alg, jwk) {
  return subtle.importKey("jwk", jwk, WEBCRYPTO[alg].imp, false, ["sign"]);
}

async function importPublic(alg, jwk) {
  return subtle.importKey("jwk", publicOnly(jwk), WEBCRYPTO[alg].imp, false, ["verify"]);
}

// http-message-sig@0.3.0 signer/verifier objects { algorithm, sign | verify }.
async function hmsSigner(hms, alg, jwk) {
  const key = await importPrivate(alg, jwk);
  if (alg !== "ecdsa-p256-sha256") return hms.webcrypto.signer(key);
  return {
    algorithm: alg,
    async sign(data) {
      return new Uint8Array(await subtle.sign(WEBCRYPTO[alg].op, key, data));
    },
  };
}

async function hmsVerifier(hms, alg, jwk) {
  const key = await importPublic(alg, jwk);
  if (alg !== "ecdsa-p256-sha256") return hms.webcrypto.verifier(key);
  return {
    algorithm: alg,
    verify(data, signature) {
      return subtle.verify(WEBCRYPTO[alg].op, key, signature, data);
    },
  };
}

// Node KeyObjects for http-message-signatures@1.0.6 (it signs with node:crypto).
function nodePrivateKey(jwk) {
  return nodeCrypto.createPrivateKey({ key: jwk, format: "jwk" });
}

function nodePublicKey(jwk) {
  return nodeCrypto.createPublicKey({ key: publicOnly(jwk), format: "jwk" });
}

module.exports = {
  generateJwk, referenceThumbprint, publicOnly, importPrivate, importPublic,
  hmsSigner, hmsVerifier, nodePrivateKey, nodePublicKey,
};
