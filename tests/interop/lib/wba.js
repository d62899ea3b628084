// Drives OUR side through the wba CLI: key generation, thumbprints, signing and verification.
// Every message and key goes through a file in a scratch directory, as a user of the CLI would do.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { toHttp1, parseHttp1 } = require("./http");

class Wba {
  constructor(bin, workDir) {
    this.bin = bin;
    this.workDir = workDir;
    this.counter = 0;
  }

  file(name, content) {
    this.counter += 1;
    const p = path.join(this.workDir, `${String(this.counter).padStart(4, "0")}-${name}`);
    fs.writeFileSync(p, content);
    return p;
  }

  // Exit codes 0, 1 and 2 are wba's contract; anything else (a signal, a sanitizer's exit code)
  // is a crash, which no check may accept, not even a known failure (error.fatal).
  run(args) {
    const r = spawnSync(this.bin, args, { encoding: "utf8", timeout: 30000 });
    if (r.error) throw r.error;
    if (r.status === null || r.status > 2) {
      const e = new Error(`wba ${args[0]} crashed (${r.signal || `exit ${r.status}`}): ${r.stderr.slice(0, 2000)}`);
      e.fatal = true;
      throw e;
    }
    return r;
  }

  // Runs a command that must succeed; returns stdout.
  ok(args) {
    const r = this.run(args);
    if (r.status !== 0) {
      throw new Error(`wba ${args[0]} exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    return r.stdout;
  }

  // A private key made by wba: { alg, priv, pub (JWK objects), privPath, pubPath, thumbprint }.
  keygen(alg) {
    const priv = JSON.parse(this.ok(["keygen", "--alg", alg]));
    const privPath = this.file(`${alg}.jwk`, JSON.stringify(priv));
    const pub = JSON.parse(this.ok(["pubkey", privPath]));
    const pubPath = this.file(`${alg}.pub.jwk`, JSON.stringify(pub));
    return { alg, priv, pub, privPath, pubPath, thumbprint: this.thumbprint(privPath) };
  }

  // A key made elsewhere (WebCrypto): same shape, files written for the CLI.
  importKey(alg, priv, pub) {
    const privPath = this.file(`${alg}.ext.jwk`, JSON.stringify(priv));
    const pubPath = this.file(`${alg}.ext.pub.jwk`, JSON.stringify(pub));
    return { alg, priv, pub, privPath, pubPath, thumbprint: this.thumbprint(pubPath) };
  }

  // keyAlg: for an RSA JWK without "alg", which wba refuses to load without one (--key-alg).
  thumbprint(jwkOrPath, keyAlg) {
    const p = typeof jwkOrPath === "string" ? jwkOrPath : this.file("thumb.jwk", JSON.stringify(jwkOrPath));
    return this.ok(["thumbprint", p, ...(keyAlg ? ["--key-alg", keyAlg] : [])]).trim();
  }

  pubkey(jwkOrPath) {
    const p = typeof jwkOrPath === "string" ? jwkOrPath : this.file("pub.jwk", JSON.stringify(jwkOrPath));
    return JSON.parse(this.ok(["pubkey", p]));
  }

  // Web Bot Auth signing: opts { key, agent, legacy, label, components, created, lifetime, nonce }.
  signWba(msg, opts) {
    const args = ["sign", "--profile", "web-bot-auth", "--key", opts.key.privPath,
      "--signature-agent", opts.agent];
    if (opts.legacy) args.push("--legacy-signature-agent");
    if (opts.label) args.push("--label", opts.label);
    if (opts.components) args.push("--components", opts.components);
    args.push("--created", String(opts.created), "--lifetime", String(opts.lifetime || 300));
    if (opts.nonce) args.push("--nonce", opts.nonce);
    args.push(this.file("unsigned.http", toHttp1(msg)));
    return parseHttp1(this.ok(args));
  }

  // Plain RFC 9421 signing of exactly this Signature-Input member.
  signRfc9421(msg, key, member) {
    const args = ["sign", "--key", key.privPath, "--signature-input", member,
      this.file("unsigned.http", toHttp1(msg))];
    return parseHttp1(this.ok(args));
  }

  // A signed key directory response for these keys, served under authority.
  directory(keyList, authority) {
    const args = ["directory", "--authority", authority];
    for (const k of keyList) args.push("--key", k.privPath);
    return parseHttp1(this.ok(args));
  }

  // The signature base wba builds for a Signature-Input member.
  base(msg, member) {
    return this.ok(["base", "--signature-input", member, this.file("base.http", toHttp1(msg))]).replace(/\n$/, "");
  }

  // Returns { status, verdict }; status 0 verified, 1 not verified, 2 usage error.
  // key: one key, or keys: several (a signature's keyid then selects the key).
  // request: the request a response answers (for ;req components); jwks: verify against a JWK
  // Set of these keys (--jwks) instead of --key.
  verify(msg, { key, keys, jwks, profile = "web-bot-auth", label, request, extra = [] }) {
    const args = ["verify", "--profile", profile];
    if (jwks) args.push("--jwks", this.file("keys.jwks", JSON.stringify({ keys: jwks.map((k) => k.pub) })));
    else for (const k of keys || [key]) args.push("--key", k.pubPath);
    if (label) args.push("--label", label);
    if (request) args.push("--request", this.file("request.http", toHttp1(request)));
    args.push(...extra, this.file("signed.http", toHttp1(msg)));
    const r = this.run(args);
    let verdict = null;
    try {
      verdict = JSON.parse(r.stdout);
    } catch {
      // left null: reported below
    }
    return { status: r.status, verdict, stderr: r.stderr };
  }

  // Throws unless wba verifies the message.
  mustVerify(msg, opts) {
    const r = this.verify(msg, opts);
    if (r.status !== 0 || !r.verdict || r.verdict.valid !== true) {
      const why = r.verdict ? `${r.verdict.reason}: ${r.verdict.detail}` : r.stderr.trim();
      throw new Error(`wba verify exited ${r.status} (${why})`);
    }
    if (opts.profile !== "rfc9421" && r.verdict.outcome !== "verified") {
      throw new Error(`outcome ${r.verdict.outcome}`);
    }
    return r.verdict;
  }

  // Throws unless wba rejects the message with exactly this reason.
  mustReject(msg, opts, reason) {
    const r = this.verify(msg, opts);
    if (r.status !== 1 || !r.verdict) {
      throw new Error(`expected rejection (${reason}), wba verify exited ${r.status}: ` +
        `${JSON.stringify(r.verdict)} ${r.stderr.trim()}`);
    }
    if (r.verdict.reason !== reason) {
      throw new Error(`expected reason ${reason}, got ${r.verdict.reason} (${r.verdict.detail})`);
    }
    return r.verdict;
  }
}

module.exports = { Wba };
