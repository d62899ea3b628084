// Shows that the installed packages are exactly the pinned ones: package.json pins exact
// versions, package-lock.json holds only npm registry tarballs with integrity hashes, and the
// versions loaded at run time are the ones the results in docs/INTEROP.md were recorded with.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { assert, assertEqual } = require("../lib/harness");

const PINNED = { "web-bot-auth": "0.1.3", "http-message-sig": "0.3.0", "http-message-signatures": "1.0.6" };
const REGISTRY = "https://registry.npmjs.org/";

module.exports = async function lockfile({ h, pkgs, opts }) {
  const manifest = JSON.parse(fs.readFileSync(path.join(opts.modules, "package.json"), "utf8"));
  const lock = JSON.parse(fs.readFileSync(path.join(opts.modules, "package-lock.json"), "utf8"));

  await h.check("package.json pins exact versions", () => {
    for (const [name, version] of Object.entries(PINNED)) {
      assertEqual(manifest.dependencies[name], version, `package.json ${name}`);
    }
    assertEqual(Object.keys(manifest.dependencies).length, Object.keys(PINNED).length, "dependency count");
  });

  await h.check("package-lock.json holds only registry tarballs with integrity", () => {
    assertEqual(lock.lockfileVersion, 3, "lockfileVersion");
    for (const [where, entry] of Object.entries(lock.packages)) {
      if (where === "") continue;
      assert(!entry.link, `${where} is a link`);
      assert(/^sha512-/.test(entry.integrity || ""), `${where} has no sha512 integrity`);
      assert(typeof entry.resolved === "string" && entry.resolved.startsWith(REGISTRY) &&
        entry.resolved.endsWith(".tgz"), `${where} resolved ${entry.resolved} is not a registry tarball`);
    }
  });

  await h.check("loaded package versions are the pinned ones", () => {
    for (const [name, version] of Object.entries(PINNED)) {
      assertEqual(pkgs.versions[name], version, `installed ${name}`);
      assertEqual(lock.packages[`node_modules/${name}`].version, version, `locked ${name}`);
    }
  });
};
