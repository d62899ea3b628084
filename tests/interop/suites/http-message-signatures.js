// Shows interop with http-message-signatures@1.0.6 (dhensby; node:crypto based, RFC-correct for
// ;key, ;sf, ;bs, ;req), both ways, for Ed25519, RSA-PSS-SHA512 and ECDSA P-256:
//   - Web Bot Auth: dictionary Signature-Agent with ;key, the legacy String form, extra
//     components, two signatures in one message;
//   - plain RFC 9421 with the package defaults (keyid, alg, created, expires; no tag).
// A tampered message must fail on the other side. Known defects, asserted as failures:
//   - its rsa-pss-sha512 signer uses the maximum PSS salt length (190 bytes for a 2048-bit key),
//     not the 64 bytes RFC 9421 §3.3.1 requires, so a strict verifier (wba) rejects it;
//   - verifyMessage returns the result of the LAST signature with a known key only: a message
//     whose first signature is forged still "verifies" when the second one is good.
"use strict";

const nodeCrypto = require("node:crypto");
const http = require("../lib/http");
const { assert, assertEqual } = require("../lib/harness");

const PKG = "http-message-signatures@1.0.6";
const TAG = "web-bot-auth";

module.exports = async function httpMessageSignatures(ctx) {
  const { h, wba, pkgs, keys, agent, url, created, ALGS, ourKeys, theirKeys } = ctx;
  const dh = pkgs.dh;

  // The package takes { method, url, headers: { name: value } } and returns it with the
  // Signature/Signature-Input fields added (merged into existing ones for a second signature).
  async function sign(msg, key, { label = "sig1", fields, wbaProfile = true }) {
    const t = created();
    const config = {
      key: dh.createSigner(keys.nodePrivateKey(key.priv), key.alg, keys.referenceThumbprint(key.pub)),
      name: label,
      fields,
      paramValues: { created: new Date(t * 1000), expires: new Date((t + 300) * 1000) },
    };
    if (wbaProfile) {
      // The package's default order (keyid, alg, created, expires), then nonce and tag: wba must
      // not depend on the order Cloudflare's signers use (created;keyid;alg;expires;nonce;tag).
      config.params = ["keyid", "alg", "created", "expires", "nonce", "tag"];
      config.paramValues.nonce = nodeCrypto.randomBytes(64).toString("base64");
      config.paramValues.tag = TAG;
    }
    const out = await dh.httpbis.signMessage(config, { method: msg.method, url: msg.url, headers: http.headerObject(msg) });
    const rest = msg.headers.filter(([n]) => !["signature", "signature-input"].includes(n.toLowerCase()));
    return { ...msg, headers: [...rest, ["Signature-Input", out.headers["signature-input"] ?? out.headers["Signature-Input"]],
      ["Signature", out.headers.signature ?? out.headers.Signature]] };
  }

  // Resolves to the package's verdict (true, false or null); keyLookup knows the given keys.
  function verdict(msg, keyList, { requiredFields = ["@authority"], wbaProfile = true } = {}) {
    const byKeyid = new Map(keyList.map((k) => [keys.referenceThumbprint(k.pub), k]));
    return dh.httpbis.verifyMessage({
      keyLookup: async (params) => {
        const k = byKeyid.get(params.keyid);
        if (!k) return null;
        if (wbaProfile && params.tag !== TAG) return null;
        return { id: params.keyid, algs: [k.alg], verify: dh.createVerifier(keys.nodePublicKey(k.pub), k.alg) };
      },
      requiredFields,
      requiredParams: wbaProfile ? ["created", "expires", "keyid", "tag"] : ["created", "keyid"],
      tolerance: 5,
    }, { method: msg.method, url: msg.url, headers: http.headerObject(msg) });
  }

  async function verify(msg, keyList, opts) {
    const r = await verdict(msg, keyList, opts);
    if (r !== true) throw new Error(`verifyMessage returned ${r}`);
  }

  const dict = () => http.request(url, [["Signature-Agent", `sig1="${agent}"`]]);
  const legacy = () => http.request(url, [["Signature-Agent", `"${agent}"`]]);
  const plain = () => http.request(url, [["Content-Type", "application/json"]]);

  // ---- http-message-signatures signs, wba verifies -----------------------------------------
  const packageForms = [
    { form: "dict SA ;key=sig1", msg: dict, fields: ["@authority", '"signature-agent";key="sig1"'] },
    { form: "legacy SA", msg: legacy, fields: ["@authority", "signature-agent"] },
    { form: "dict SA ;key=sig1, +@method @path @query", msg: dict,
      fields: ["@authority", '"signature-agent";key="sig1"', "@method", "@path", "@query"] },
    { form: "dict SA ;key=sig1, Host Example.COM:8443", msg: () => http.withHost(dict(), "Example.COM:8443"),
      fields: ["@authority", '"signature-agent";key="sig1"'] },
    { form: "dict SA, @target-uri instead of @authority", msg: dict, fields: ["@target-uri", '"signature-agent";key="sig1"'] },
    { form: "POST body, dict SA +@method content-digest",
      msg: () => http.post(url, JSON.stringify({ q: 1 }), [["Signature-Agent", `sig1="${agent}"`]]),
      fields: ["@authority", '"signature-agent";key="sig1"', "@method", "content-digest"] },
    { form: "RFC 9421 plain, package default params", msg: plain,
      fields: ["@method", "@authority", "@path", "content-type"], rfc9421: true },
  ];
  for (const alg of ALGS) {
    const key = theirKeys[alg];
    for (const c of packageForms) {
      const profile = c.rfc9421 ? "rfc9421" : "web-bot-auth";
      const name = `${PKG} signs -> wba verifies (${profile}) [${c.form}, ${alg}]`;
      if (alg === "rsa-pss-sha512") {
        await h.knownFailure(name,
          { because: "1.0.6 signs RSA-PSS with the maximum salt length, not 64 bytes (RFC 9421 §3.3.1); wba: bad_signature",
            match: /bad_signature/ },
          async () => wba.mustVerify(await sign(c.msg(), key, { fields: c.fields, wbaProfile: !c.rfc9421 }), { key, profile }));
        continue;
      }
      let signed = null;
      await h.check(name, async () => {
        signed = await sign(c.msg(), key, { fields: c.fields, wbaProfile: !c.rfc9421 });
        const v = wba.mustVerify(signed, { key, profile });
        assertEqual(v.label, "sig1", "label");
        if (!c.rfc9421) assertEqual(v.agent, agent, "agent");
      });
      await h.check(`${name} tampered -> wba rejects bad_signature`, async () => {
        assert(signed, "nothing signed");
        wba.mustReject(http.tamper(signed), { key, profile }, "bad_signature");
      });
    }
  }
  // Pins the cause of the RSA-PSS failures: the salt length of the package's signature.
  await h.knownFailure(`${PKG} rsa-pss-sha512 signature uses the 64-byte salt of RFC 9421 §3.3.1`,
    { because: "1.0.6 leaves node:crypto's default, the maximum salt length (2048-bit key: 190 bytes)",
      match: /^salt length is 190 bytes, not 64$/ },
    async () => {
      const key = theirKeys["rsa-pss-sha512"];
      const signed = await sign(dict(), key, { fields: ["@authority", '"signature-agent";key="sig1"'] });
      const base = Buffer.from(wba.base(signed, http.header(signed, "signature-input")));
      const sig = Buffer.from(http.header(signed, "signature").replace(/^sig1=:|:$/g, ""), "base64");
      const pub = keys.nodePublicKey(key.pub);
      const saltOk = (saltLength) => nodeCrypto.verify("sha512", base, {
        key: pub, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
      if (saltOk(64)) return;
      const max = 256 - 64 - 2;
      throw new Error(saltOk(max) ? `salt length is ${max} bytes, not 64` : "signature verifies with neither salt length");
    });

  // The same RSA-PSS signature base, signed with the 64-byte salt RFC 9421 requires, verifies:
  // the failure above is the salt length alone.
  await h.check(`${PKG} base, re-signed with RSA-PSS salt 64 -> wba verifies [dict SA ;key=sig1, rsa-pss-sha512]`, async () => {
    const key = theirKeys["rsa-pss-sha512"];
    const signed = await sign(dict(), key, { fields: ["@authority", '"signature-agent";key="sig1"'] });
    const base = wba.base(signed, http.header(signed, "signature-input"));
    const sig = nodeCrypto.sign("sha512", Buffer.from(base), {
      key: keys.nodePrivateKey(key.priv), padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 64,
    });
    const fixed = http.mapHeaders(signed, (n, v) => (n === "signature" ? `sig1=:${sig.toString("base64")}:` : v));
    wba.mustVerify(fixed, { key });
  });

  for (const alg of ["ed25519", "ecdsa-p256-sha256"]) {
    const key = theirKeys[alg];
    await h.check(`${PKG} signs -> wba verifies (web-bot-auth) [two signatures sig1+sig2, dict SA, ${alg}]`, async () => {
      let msg = http.request(url, [["Signature-Agent", `sig1="${agent}", sig2="https://second-agent.test"`]]);
      msg = await sign(msg, key, { label: "sig1", fields: ["@authority", '"signature-agent";key="sig1"'] });
      msg = await sign(msg, key, { label: "sig2", fields: ["@authority", '"signature-agent";key="sig2"', "@method"] });
      assertEqual(wba.mustVerify(msg, { key, label: "sig1" }).agent, agent, "sig1 agent");
      assertEqual(wba.mustVerify(msg, { key, label: "sig2" }).agent, "https://second-agent.test", "sig2 agent");
    });
  }

  // ---- wba signs, http-message-signatures verifies -----------------------------------------
  for (const alg of ALGS) {
    const key = ourKeys[alg];
    const ours = [
      { form: "dict SA", sign: () => wba.signWba(http.request(url), { key, agent, created: created() }) },
      { form: "legacy SA", sign: () => wba.signWba(http.request(url), { key, agent, legacy: true, created: created() }) },
      { form: "dict SA, +@method @path", requiredFields: ["@authority", "@method", "@path"],
        sign: () => wba.signWba(http.request(url), { key, agent, components: '"@method" "@path"', created: created() }) },
      { form: "POST body, dict SA +@method content-digest", requiredFields: ["@authority", "content-digest"],
        sign: () => wba.signWba(http.post(url, '{"n":1}'), { key, agent, components: '"@method" "content-digest"', created: created() }) },
      { form: "dict SA, Host Example.COM:8443",
        sign: () => wba.signWba(http.withHost(http.request(url), "Example.COM:8443"), { key, agent, created: created() }) },
      { form: "RFC 9421 plain, no tag", requiredFields: ["@method", "@authority", "@path", "content-type"], rfc9421: true,
        sign: () => wba.signRfc9421(plain(), key,
          `sig1=("@method" "@authority" "@path" "content-type");created=${created()};keyid="${key.thumbprint}";alg="${alg}"`) },
    ];
    for (const c of ours) {
      const name = `wba signs -> ${PKG} verifies [${c.form}, ${alg}]`;
      const opts = { requiredFields: c.requiredFields, wbaProfile: !c.rfc9421 };
      let signed = null;
      await h.check(name, async () => {
        signed = c.sign();
        await verify(signed, [key], opts);
      });
      await h.check(`${name} tampered -> ${PKG} rejects`, async () => {
        assert(signed, "nothing signed");
        const r = await verdict(http.tamper(signed), [key], opts);
        assertEqual(r, false, "verifyMessage of the tampered message");
      });
    }

    await h.check(`wba signs -> ${PKG} verifies [two signatures sig1+sig2, dict SA, ${alg}]`, async () => {
      const one = wba.signWba(http.request(url), { key, agent, created: created(), label: "sig1" });
      const two = wba.signWba(one, { key, agent: "https://second-agent.test", created: created(), label: "sig2" });
      await verify(two, [key]);
    });
  }

  // Two signatures by two different keys: wba checks each on its own; the package reports only
  // the last signature it has a key for.
  const k1 = ourKeys.ed25519;
  const k2 = ourKeys["ecdsa-p256-sha256"];
  let forged = null;
  await h.check("wba signs two signatures (ed25519 sig1, ecdsa sig2), sig1 forged -> wba rejects sig1, verifies sig2", () => {
    const one = wba.signWba(http.request(url), { key: k1, agent, created: created(), label: "sig1" });
    const two = wba.signWba(one, { key: k2, agent: "https://second-agent.test", created: created(), label: "sig2" });
    const badSig1 = `sig1=:${Buffer.alloc(64, 7).toString("base64")}:`;
    forged = http.mapHeaders(two, (n, v) => (n === "signature" ? v.replace(/sig1=:[^:]*:/, badSig1) : v));
    wba.mustReject(forged, { keys: [k1, k2], label: "sig1" }, "bad_signature");
    wba.mustVerify(forged, { keys: [k1, k2], label: "sig2" });
  });
  await h.knownFailure(`same message, sig1 forged -> ${PKG} rejects`,
    { because: "1.0.6 verifyMessage returns only the last signature's result; the forged sig1 is ignored",
      match: /^forged message verified$/ },
    async () => {
      assert(forged, "nothing signed");
      const r = await verdict(forged, [k1, k2]);
      if (r === true) throw new Error("forged message verified");
    });
};
