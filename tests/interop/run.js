#!/usr/bin/env node
// Interop tests: the wba CLI against the deployed JavaScript implementations pinned in
// package-lock.json (web-bot-auth 0.1.3, http-message-sig 0.3.0, http-message-signatures 1.0.6).
// Each package signs and wba verifies; wba signs and each package verifies; both sides must agree
// on RFC 7638 thumbprints; signed key-directory responses go both ways too; tampered messages
// must fail both ways. Known package defects are
// asserted as failures (see docs/INTEROP.md). Prints one line per check, then "N passed, M failed".
//
// Usage: node run.js --wba PATH/TO/wba [--modules DIR] [--testvectors DIR] [--only TEXT] [--keep]
//   --modules DIR      directory holding package.json and node_modules (default: this directory)
//   --testvectors DIR  the repository's testvectors/ (default: ../../testvectors from here)
//   --only TEXT        run only the checks whose name (or suite name) contains TEXT
//   --keep             keep the scratch directory with every message and key file
"use strict";

// Node 18 (Debian bookworm's nodejs) has WebCrypto but not as a global; 20+ has both.
if (!globalThis.crypto) globalThis.crypto = require("node:crypto").webcrypto;
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createRequire } = require("node:module");
const { Harness } = require("./lib/harness");
const { Wba } = require("./lib/wba");
const keys = require("./lib/keys");

const SUITES = ["lockfile", "thumbprint", "web-bot-auth", "http-message-sig", "http-message-signatures", "directory"];
const ALGS = ["ed25519", "rsa-pss-sha512", "ecdsa-p256-sha256"];

function parseArgs(argv) {
  const opts = {
    modules: __dirname,
    testvectors: path.resolve(__dirname, "..", "..", "testvectors"),
    keep: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      i += 1;
      return argv[i];
    };
    if (a === "--wba") opts.wba = path.resolve(value());
    else if (a === "--modules") opts.modules = path.resolve(value());
    else if (a === "--testvectors") opts.testvectors = path.resolve(value());
    else if (a === "--only") opts.only = value();
    else if (a === "--keep") opts.keep = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.wba) throw new Error("--wba PATH is required");
  return opts;
}

function loadPackages(modulesDir) {
  const req = createRequire(path.join(modulesDir, "package.json"));
  const load = (name) => {
    try {
      return req(name);
    } catch (e) {
      throw new Error(`cannot load ${name} from ${modulesDir}/node_modules (run npm ci there): ${e.message}`);
    }
  };
  const version = (name) =>
    JSON.parse(fs.readFileSync(path.join(modulesDir, "node_modules", name, "package.json"), "utf8")).version;
  return {
    wba013: load("web-bot-auth"),
    wba013crypto: load("web-bot-auth/crypto"),
    hms: load("http-message-sig"),
    dh: load("http-message-signatures"),
    versions: {
      "web-bot-auth": version("web-bot-auth"),
      "http-message-sig": version("http-message-sig"),
      "http-message-signatures": version("http-message-signatures"),
    },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "wba-interop-"));
  try {
    await runAll(opts, workDir);
  } finally {
    if (!opts.keep) fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function runAll(opts, workDir) {
  const started = Date.now();
  const wba = new Wba(opts.wba, workDir);
  const h = new Harness({ filter: opts.only });

  const pkgs = loadPackages(opts.modules);
  console.log(`# wba: ${opts.wba}`);
  console.log(`# node ${process.version}; ` +
    Object.entries(pkgs.versions).map(([n, v]) => `${n}@${v}`).join(", "));
  console.log(`# scratch: ${workDir}`);

  // One key per algorithm made by wba (we sign with these, the packages verify with their public
  // halves) and one made by WebCrypto (the packages sign with these, wba verifies).
  const ourKeys = {};
  const theirKeys = {};
  for (const alg of ALGS) {
    ourKeys[alg] = wba.keygen(alg);
    const g = await keys.generateJwk(alg);
    theirKeys[alg] = wba.importKey(alg, g.priv, g.pub);
  }

  const ctx = {
    h, wba, pkgs, keys, opts, ALGS, ourKeys, theirKeys,
    agent: "https://signature-agent.test",
    url: "https://example.com/path/to/resource?q=1",
    // Signatures are made a few seconds in the past: web-bot-auth@0.1.3 and the other packages
    // allow no clock skew by default, and they read the same clock as wba here.
    created: () => Math.floor(Date.now() / 1000) - 5,
  };

  for (const name of SUITES) {
    console.log(`## ${name}`);
    h.suite = name;
    try {
      await require(`./suites/${name}`)(ctx);
    } catch (e) {
      h.fail(`suite ${name}`, `crashed: ${e.stack || e.message}`);
    }
  }

  console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const ok = h.summary();
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  console.error(`interop: ${e.stack || e.message}`);
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
});
