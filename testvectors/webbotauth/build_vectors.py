#!/usr/bin/env python3
"""Builds our published conformance vectors (format webbotauth-conformance/1, see README.md).

Every vector is derived from data already checked in under testvectors/: the Web Bot Auth
draft's Appendix E, Cloudflare's architecture v1/v2 test data, our constructed one-fault
negatives and the RFC 9421 examples. Mutation negatives change a published request after
signing, so no signing (and no crypto library) is needed: python3 stdlib only, deterministic.

  build_vectors.py           rewrite the *.json files next to this script
  build_vectors.py --check   compare instead; exit 1 and show the first difference on drift
"""

import base64
import copy
import json
import os
import sys
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
TV = os.path.dirname(HERE)
FORMAT = "webbotauth-conformance/1"

WELL_KNOWN = "/.well-known/http-message-signatures-directory"
AGENT = "https://signature-agent.test"
AGENT_DIRECTORY = AGENT + WELL_KNOWN
# A fixed "today" (2026-11-18T05:46:40Z): the legacy vectors expired on 2025-01-01, the
# 100-year ones still verify. Fixed so that the files never change with the calendar.
TODAY = 1795000000
# Appendix E.1.1/E.2.1 and Cloudflare v2 sign for exactly 100 years (3153600000 s); runs that
# accept them raise max_lifetime to exactly that.
HUNDRED_YEARS = 3153600000
RFC9421_NOW = 1618884500  # after every RFC 9421 example's created, before §4.3's expires

DRAFT = "draft-ietf-webbotauth-httpsig-protocol"
CONSTRUCTED_SOURCE = "testvectors/web-bot-auth/constructed-negative-vectors.json"


def load(relative):
    with open(os.path.join(TV, relative), encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------
# Keys

KEYS = load("rfc9421/keys.json")["keys"]
JOSE_ALG = {"test-key-rsa": "RS256", "test-key-rsa-pss": "PS512"}


def test_key(name, kid=None):
    """Public JWK of an RFC 9421 B.1 test key. RSA keys carry `alg`: the key type alone does not
    say PSS or PKCS#1 v1.5, and verifiers must not guess (RFC 9421 §3.2 step 6)."""
    if name == "test-shared-secret":
        secret = base64.b64decode(KEYS[name]["secret_base64"])
        k = base64.urlsafe_b64encode(secret).decode().rstrip("=")
        return {"kty": "oct", "kid": kid or name, "alg": "HS256", "k": k}
    jwk = dict(KEYS[name]["public_jwk"])
    out = {"kty": jwk.pop("kty")}
    out["kid"] = kid if kid is not None else KEYS[name]["jwk_thumbprint_sha256"]
    if name in JOSE_ALG:
        out["alg"] = JOSE_ALG[name]
    out.update(jwk)
    return out


def thumbprint(name):
    return KEYS[name]["jwk_thumbprint_sha256"]


def public_part(jwk):
    private = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
    return {k: v for k, v in jwk.items() if k not in private}


def directory(url, *jwks):
    return {"url": url, "jwks": {"keys": list(jwks)}}


# ---------------------------------------------------------------------------------------------
# A small model of a signed request: enough Structured Field handling for the shapes we emit.


def split_top(text, sep):
    """Splits on `sep` outside double-quoted strings and parentheses."""
    parts, depth, quoted, cur, i = [], 0, False, "", 0
    while i < len(text):
        c = text[i]
        if quoted:
            cur += c
            if c == "\\":
                cur += text[i + 1]
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted, cur = True, cur + c
        elif c == "(":
            depth, cur = depth + 1, cur + c
        elif c == ")":
            depth, cur = depth - 1, cur + c
        elif c == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


class Sig:
    """One labelled signature: Signature-Input member and Signature member."""

    def __init__(self, label, components, params, value_b64):
        self.label = label            # Signature-Input label
        self.sig_label = label        # Signature label (differs only in label-mismatch vectors)
        self.components = components  # serialized component identifiers, e.g. '"@authority"'
        self.params = params          # [(name, serialized value)] in order
        self.value_b64 = value_b64

    @staticmethod
    def parse(input_member, signature_member):
        label, rest = input_member.split("=", 1)
        assert rest.startswith("(")
        close = rest.index(")")
        inner = rest[1:close]
        components = [c for c in split_top(inner, " ") if c]
        params = []
        for p in split_top(rest[close + 1:], ";")[1:]:
            k, v = p.split("=", 1)
            params.append((k, v))
        slabel, sval = signature_member.split("=", 1)
        assert slabel == label and sval.startswith(":") and sval.endswith(":")
        s = Sig(label, components, params, sval[1:-1])
        assert s.input_member() == input_member, (s.input_member(), input_member)
        return s

    def inner_list(self):
        return "(" + " ".join(self.components) + ")" + "".join(
            ";%s=%s" % (k, v) for k, v in self.params)

    def input_member(self):
        return "%s=%s" % (self.label, self.inner_list())

    def signature_member(self):
        return "%s=:%s:" % (self.sig_label, self.value_b64)

    def param(self, name):
        for k, v in self.params:
            if k == name:
                return v
        return None

    def set_param(self, name, value):
        self.params = [(k, value if k == name else v) for k, v in self.params]

    def drop_param(self, name):
        self.params = [(k, v) for k, v in self.params if k != name]


def authority_of(url):
    u = urlsplit(url)
    host = u.hostname.lower()
    default = {"https": 443, "http": 80}[u.scheme]
    return host if u.port in (None, default) else "%s:%d" % (host, u.port)


class Req:
    """A request with a Signature-Agent field (dictionary or legacy String) and signatures."""

    def __init__(self, url, sigs, agent=None, method="GET"):
        self.method = method
        self.url = url
        self.extra = []  # other header fields, after Host
        # None, ("legacy", '"url"') or ("dict", [(key, serialized member value)])
        self.agent = agent
        self.agent_lines = None  # explicit Signature-Agent field lines (malformed, split, …)
        self.sigs = sigs
        self.input_lines = None  # explicit Signature-Input lines ([] = field absent)
        self.signature_lines = None

    def agent_field_lines(self):
        if self.agent_lines is not None:
            return self.agent_lines
        if self.agent is None:
            return []
        form, value = self.agent
        if form == "legacy":
            return [value]
        return [", ".join("%s=%s" % kv for kv in value)]

    def headers(self):
        h = [["Host", authority_of(self.url)]] + [list(x) for x in self.extra]
        h += [["Signature-Agent", line] for line in self.agent_field_lines()]
        inputs = self.input_lines
        if inputs is None:
            inputs = [", ".join(s.input_member() for s in self.sigs)]
        sigs = self.signature_lines
        if sigs is None:
            sigs = [", ".join(s.signature_member() for s in self.sigs)]
        h += [["Signature-Input", line] for line in inputs]
        h += [["Signature", line] for line in sigs]
        return h

    def json(self):
        return {"method": self.method, "url": self.url, "headers": self.headers()}

    def component_value(self, component):
        """RFC 9421 §2.1/§2.2 value of one covered component, None when it is missing."""
        name, _, params = component.partition(";")
        name = name.strip('"')
        u = urlsplit(self.url)
        if name.startswith("@"):
            assert not params, component
            return {"@authority": authority_of(self.url), "@method": self.method,
                    "@path": u.path or "/", "@target-uri": self.url}[name]
        lines = [v for n, v in self.headers() if n.lower() == name]
        if not lines:
            return None
        if not params:
            return ", ".join(v.strip() for v in lines)
        assert name == "signature-agent" and params.startswith("key="), component
        key = params[len('key="'):-1]
        if self.agent is None or self.agent[0] != "dict":
            return None
        for k, v in self.agent[1]:
            if k == key:
                return v
        return None

    def base(self, label):
        """The signature base of `label` (RFC 9421 §2.5), None when it cannot be built."""
        for s in self.sigs:
            if s.label == label:
                lines = []
                for c in s.components:
                    v = self.component_value(c)
                    if v is None:
                        return None
                    lines.append("%s: %s" % (c, v))
                lines.append('"@signature-params": ' + s.inner_list())
                return "\n".join(lines)
        return None


# ---------------------------------------------------------------------------------------------
# Vectors

UNVERIFIED = {"key_not_found", "directory_unavailable", "directory_invalid",
              "directory_signature_invalid"}


def expected(reason, label=None, base=None, agent=Ellipsis):
    """Our verdict for a reason: the same mapping as wba::profile::outcome_of."""
    out = {"verdict": "verified" if reason is None else
           ("unverified" if reason in UNVERIFIED else "invalid"),
           "reason": reason}
    if label is not None:
        out["label"] = label
    if base is not None:
        out["signature_base"] = base
    if agent is not Ellipsis:
        out["agent"] = agent
    return out


def vector(vid, description, source, request, now, exp, policy=None, keys=None,
           profile="web-bot-auth", response=None, derived_from=None):
    v = {"id": vid, "description": description, "source": source}
    if derived_from:
        v["derived_from"] = derived_from
    v["profile"] = profile
    v["request"] = request
    if response is not None:
        v["response"] = response
    v["now"] = now
    v["policy"] = policy or {}
    v["keys"] = keys or {}
    v["expected"] = exp
    return v


class Positive:
    """A published, verifiable Web Bot Auth request and everything needed to verify it."""

    def __init__(self, vid, file, source, req, label, now, policy, keys, agent, base):
        self.id, self.file, self.source, self.req, self.label = vid, file, source, req, label
        self.now, self.policy, self.keys, self.agent = now, policy, keys, agent
        built = req.base(label)
        assert built == base, "base builder disagrees with %s:\n%s\n%s" % (vid, built, base)
        self.base = base

    def sig(self, req=None):
        return next(s for s in (req or self.req).sigs if s.label == self.label)

    def vector(self, description):
        return vector(self.id, description, self.source, self.req.json(), self.now,
                      expected(None, self.label, self.base, self.agent),
                      self.policy, self.keys)


def draft_positives():
    d = load("web-bot-auth/draft-vectors.json")
    out = []
    for v in d["vectors"]:
        if v["profile"] != "web-bot-auth":
            continue
        sig = Sig.parse(v["signature_input_field"], v["signature_field"])
        legacy = v["signature_agent_field"].startswith('"')
        if legacy:
            agent = ("legacy", v["signature_agent_field"])
        else:
            k, val = v["signature_agent_field"].split("=", 1)
            agent = ("dict", [(k, val)])
        req = Req("https://example.com/", [sig], agent)
        key = "test-key-ed25519" if v["alg"] == "ed25519" else "test-key-rsa-pss"
        policy = {"allow_test_keys": True}
        if v["expires"] - v["created"] > 86400:
            policy["max_lifetime"] = HUNDRED_YEARS
        short = v["id"].replace("wba-", "")
        out.append(Positive(
            "draft-" + short, "draft-appendix-e.json",
            "%s Appendix %s (%s), testvectors/web-bot-auth/draft-vectors.json %s" % (
                DRAFT, v["source"]["section"], v["source"]["title"], v["id"]),
            req, v["label"], v["verify_at_unix_time_hint"], policy,
            {"directories": [directory(AGENT_DIRECTORY, test_key(key))]}, AGENT,
            v["signature_base"]))
    return out


def cloudflare_positives():
    prov = load("web-bot-auth/cloudflare-web-bot-auth/PROVENANCE.json")
    out = []
    for version in ("v1", "v2"):
        name = "web_bot_auth_architecture_" + version
        cases = load("web-bot-auth/cloudflare-web-bot-auth/%s.json" % name)
        for i, (c, result) in enumerate(zip(cases, prov["results"][name])):
            sig = Sig.parse(c["signature_input"], c["signature"])
            agent = None
            if "signature_agent" in c:
                sa = c["signature_agent"]
                if sa.startswith('"'):
                    agent = ("legacy", sa)
                else:
                    k, val = sa.split("=", 1)
                    agent = ("dict", [(k, val)])
            req = Req(c["target_url"], [sig], agent)
            jwk = public_part(c["key"])
            keys = ({"directories": [directory(AGENT_DIRECTORY, jwk)]} if agent
                    else {"trusted": [jwk]})
            policy = {"allow_test_keys": True}
            if c["expires_ms"] - c["created_ms"] > 86400 * 1000:
                policy["max_lifetime"] = HUNDRED_YEARS
            alg = "ed25519" if c["key"]["kty"] == "OKP" else "rsa-pss-sha512"
            out.append(Positive(
                "cloudflare-%s-%s-%s" % (version, alg, c["label"]), "cloudflare-architecture.json",
                "cloudflare/web-bot-auth @19fd120 packages/web-bot-auth/test/test_data/%s.json "
                "entry %d (testvectors/web-bot-auth/cloudflare-web-bot-auth/)" % (name, i),
                req, c["label"], c["created_ms"] // 1000 + 60, policy, keys,
                AGENT if agent else None, result["rebuilt_signature_base"]))
    return out


def draft_file(positives):
    vs = []
    for p in positives:
        vs.append(p.vector("Published vector, verified with the RFC 9421 test key allowed and the "
                           "draft's clock (created + 60 s)."))
    for p in positives:
        if int(p.sig().param("expires")) <= TODAY:
            desc = ("The legacy vector expired on 2025-01-01T01:00Z: at a 2026 clock it must "
                    "fail as expired.")
            exp = expected("expired", p.label, p.base)
        else:
            desc = "expires is in 2124: the vector still verifies in 2026."
            exp = expected(None, p.label, p.base, p.agent)
        vs.append(vector(p.id + "-today", desc, p.source, p.req.json(), TODAY, exp, p.policy,
                         p.keys, derived_from=p.id))
    for p in positives:
        # Default policy except the clock (and the lifetime, so that the key check is reached):
        # §6.8 says verifiers SHOULD reject the RFC 9421 test keys.
        policy = {k: v for k, v in p.policy.items() if k == "max_lifetime"}
        vs.append(vector(p.id + "-test-key-refused",
                         "Same request under the default policy: the RFC 9421 Appendix B test "
                         "key is refused (draft §6.8)." +
                         (" max_lifetime is raised so that the key check is reached." if policy
                          else ""),
                         p.source, p.req.json(), p.now,
                         expected("test_key_refused", p.label, p.base), policy, p.keys,
                         derived_from=p.id))
    for p in positives:
        if "max_lifetime" not in p.policy:
            continue
        vs.append(vector(p.id + "-lifetime-too-long",
                         "Same request with the default max_lifetime (24 h, draft §5.2 "
                         "RECOMMENDED): expires - created is 100 years.",
                         p.source, p.req.json(), p.now,
                         expected("lifetime_too_long", p.label, p.base),
                         {"allow_test_keys": True}, p.keys, derived_from=p.id))
    return {"format": FORMAT,
            "description": "Web Bot Auth request vectors of %s Appendix E (E.1.1, E.1.2, E.2.1, "
                           "E.2.2; byte-identical in draft-meunier-webbotauth-httpsig-protocol-02) "
                           "with their published signature bases, plus the same requests at a "
                           "2026 clock and under the default policy." % DRAFT,
            "source": "testvectors/web-bot-auth/draft-vectors.json (see its provenance)",
            "vectors": vs}


def cloudflare_file(positives):
    vs = [p.vector("Verified one minute after created, RFC 9421 test key allowed.")
          for p in positives]
    for p in positives:
        if int(p.sig().param("expires")) <= TODAY:
            vs.append(vector(p.id + "-today", "Architecture v1 vectors expired on "
                             "2025-01-01T01:00Z.", p.source, p.req.json(), TODAY,
                             expected("expired", p.label, p.base), p.policy, p.keys,
                             derived_from=p.id))
    for p in positives:
        if p.req.agent is not None:
            continue
        policy = dict(p.policy, require_signature_agent=True)
        vs.append(vector(p.id + "-signature-agent-required",
                         "No Signature-Agent (the pre-draft sig1 shape) under a policy that "
                         "requires it (ietf-00 makes it REQUIRED).",
                         p.source, p.req.json(), p.now,
                         expected("missing_signature_agent", p.label, p.base), policy, p.keys,
                         derived_from=p.id))
        req = copy.deepcopy(p.req)
        req.agent = ("dict", [(p.label, '"https://attacker.test"')])
        vs.append(vector(p.id + "-uncovered-signature-agent-added",
                         "Someone attaches a Signature-Agent the signature does not cover: the "
                         "agent is an unsigned claim (draft §5.2.1).",
                         p.source, req.json(), p.now,
                         expected("signature_agent_not_covered", p.label, p.base),
                         p.policy, p.keys, derived_from=p.id))
    return {"format": FORMAT,
            "description": "Cloudflare's web-bot-auth architecture v1 (legacy String "
                           "Signature-Agent, 1 h lifetime) and v2 (dictionary Signature-Agent, "
                           "100-year lifetime) test vectors, with the bases we rebuilt and "
                           "verified, plus clock and policy variants.",
            "source": "github.com/cloudflare/web-bot-auth @19fd120, copied byte-for-byte into "
                      "testvectors/web-bot-auth/cloudflare-web-bot-auth/ (see PROVENANCE.json)",
            "vectors": vs}


# The vocabulary of constructed-negative-vectors.json → our stable reason codes.
CONSTRUCTED_REASONS = {
    "signature-mismatch": "bad_signature",
    "expired": "expired",
    "created-in-future": "not_yet_valid",
    "wrong-tag": "wrong_tag",
    "key-not-found": "key_not_found",
    "signature-agent-not-covered": "signature_agent_not_covered",
    "target-not-covered": "authority_not_covered",
    "missing-expires": "missing_expires",
    "duplicate-component": "duplicate_component",
    "signature-missing-for-label": "label_mismatch",
    "component-unresolvable": "missing_component",
    "signature-agent-not-https": "invalid_signature_agent",
    "alg-key-mismatch": "key_alg_mismatch",
    "lifetime-exceeds-policy": "lifetime_too_long",
}


def constructed_file():
    d = load("web-bot-auth/constructed-negative-vectors.json")
    vs = []
    for c in d["cases"]:
        dirs = [c["directory"]] + c.get("extra_directories", [])
        keys = {"directories": [{"url": x["url"], "jwks": json.loads(x["body"])} for x in dirs]}
        req = {"method": c["request"]["method"], "url": c["request"]["url"],
               "headers": c["request"]["headers"]}
        source = "%s %s (basis: %s)" % (CONSTRUCTED_SOURCE, c["id"], c["basis"])
        vid = "constructed-" + c["id"]
        desc = c["title"]
        if c.get("notes"):
            desc += ". " + c["notes"]
        policy = {"allow_test_keys": True}
        outcome = c["expected"]["outcome"]
        if outcome == "verified":
            vs.append(vector(vid, desc, source, req, c["now"],
                             expected(None, "sig1", c["signer_signature_base"], AGENT),
                             policy, keys))
        elif outcome == "version-dependent":
            # NEG-17: protocol -00 resolves type=jwks_uri to the URL itself (not served here);
            # the editor's copy -01 ignores members with parameters. Both are policies of ours.
            vs.append(vector(vid + "-jwks-uri-accepted",
                             desc + " Under -00 (accept_jwks_uri_type, our default) the verifier "
                             "looks for the key under https://signature-agent.test/jwks.json, "
                             "which serves nothing here.",
                             source, req, c["now"], expected("key_not_found"), policy, keys))
            vs.append(vector(vid + "-jwks-uri-refused",
                             desc + " With accept_jwks_uri_type false (editor's copy -01) the "
                             "member is refused.",
                             source, req, c["now"], expected("invalid_signature_agent"),
                             dict(policy, accept_jwks_uri_type=False), keys))
        else:
            reason = CONSTRUCTED_REASONS[c["expected"]["reason"]]
            if outcome == "policy":
                desc += (" (The source leaves this to local policy; ours enforces the 24 h "
                         "maximum by default.)")
            else:
                assert expected(reason)["verdict"] == outcome, c["id"]
            vs.append(vector(vid, desc, source, req, c["now"], expected(reason), policy, keys))
    return {"format": FORMAT,
            "description": "Our constructed one-fault requests (RFC 9421 B.1.4 Ed25519 test "
                           "key), with our reason codes. Directories are the ones each case "
                           "lets the verifier fetch, extra_directories included.",
            "source": CONSTRUCTED_SOURCE,
            "vectors": vs}


# ---------------------------------------------------------------------------------------------
# Mutations of the published positives

OTHER_ALG = {"\"ed25519\"": "\"rsa-pss-sha512\"", "\"rsa-pss-sha512\"": "\"ed25519\""}
OTHER_KEY = {thumbprint("test-key-ed25519"): thumbprint("test-key-rsa-pss"),
             thumbprint("test-key-rsa-pss"): thumbprint("test-key-ed25519")}


def flip_first_byte(b64):
    raw = bytearray(base64.b64decode(b64))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def set_agent_value(req, value):
    form, v = req.agent
    if form == "legacy":
        req.agent = ("legacy", value)
    else:
        req.agent = ("dict", [(k, value) for k, _ in v])


class Mutator:
    def __init__(self, p):
        self.p = p
        self.out = []

    def add(self, suffix, description, reason, req=None, now=None, policy=None, keys=None,
            label=Ellipsis, with_base=True, agent=Ellipsis):
        p = self.p
        req = req or p.req
        lab = p.label if label is Ellipsis else label
        base = req.base(lab) if (with_base and lab) else None
        exp = expected(reason, lab, base, agent if reason is None else Ellipsis)
        if reason is None and agent is Ellipsis:
            exp["agent"] = p.agent
        self.out.append(vector("%s-%s" % (p.id, suffix), description,
                               "derived by us (build_vectors.py) from vector %s of %s" % (
                                   p.id, p.file), req.json(),
                               p.now if now is None else now, exp,
                               p.policy if policy is None else policy,
                               p.keys if keys is None else keys, derived_from=p.id))

    def req(self):
        return copy.deepcopy(self.p.req)

    def sig(self, req):
        return next(s for s in req.sigs if s.label == self.p.label)


def mutations(p):
    m = Mutator(p)
    s0 = p.sig()
    has_agent = p.req.agent is not None
    legacy = has_agent and p.req.agent[0] == "legacy"
    created, expires = int(s0.param("created")), int(s0.param("expires"))

    # Covered components changed after signing.
    r = m.req()
    r.url = r.url.replace("example.com", "example.org")
    m.add("authority-changed", "@authority changed after signing (request sent to another "
          "host).", "bad_signature", r)
    if has_agent:
        r = m.req()
        set_agent_value(r, '"https://attacker.test"')
        keys = copy.deepcopy(p.keys)
        keys["directories"].append(directory("https://attacker.test" + WELL_KNOWN,
                                              *p.keys["directories"][0]["jwks"]["keys"]))
        m.add("agent-changed", "Signature-Agent value changed after signing; attacker.test "
              "republishes the victim's key, so the key is found and the signature fails over "
              "the received value.", "bad_signature", r, keys=keys)
        m.add("agent-changed-no-directory", "Signature-Agent value changed after signing; no "
              "directory at the new URL has the key: unverified, never attributed.",
              "key_not_found", r)
        r = m.req()
        set_agent_value(r, '"http://signature-agent.test"')
        m.add("agent-http-scheme", "Signature-Agent uses http (draft §5.2.1: https only).",
              "invalid_signature_agent", r)
        r = m.req()
        r.agent = None
        m.add("agent-field-removed", "Signature-Agent field removed: a covered component is "
              "missing.", "missing_component", r, with_base=False)
        if not legacy:
            r = m.req()
            r.agent = ("dict", [("agent9", v) for _, v in p.req.agent[1]])
            m.add("agent-member-missing", "The Signature-Agent member the signature covers is "
                  "renamed: RFC 9421 §2.1.2 (missing dictionary key).", "missing_component", r,
                  with_base=False)
            r = m.req()
            r.agent = ("dict", p.req.agent[1] + [("other", '"https://other-agent.test"')])
            m.add("agent-other-member-added", "Another signer's member added to Signature-Agent "
                  "(draft §5.2.2): the covered member is unchanged.", None, r)
            r = m.req()
            r.agent_lines = ['other="https://other-agent.test"',
                             "%s=%s" % p.req.agent[1][0]]
            r.agent = ("dict", [("other", '"https://other-agent.test"')] + p.req.agent[1])
            m.add("agent-split-field-lines", "Signature-Agent sent as two field lines, combined "
                  "into one Dictionary (RFC 9651 §4.2).", None, r)
        r = m.req()
        s = m.sig(r)
        s.components = [c for c in s.components if not c.startswith('"signature-agent"')]
        m.add("agent-not-covered", "Signature-Agent present but no longer covered (draft "
              "§5.2.1).", "signature_agent_not_covered", r)
    r = m.req()
    s = m.sig(r)
    s.components = [c for c in s.components if c != '"@authority"']
    m.add("authority-not-covered", "@authority removed from the covered components (draft §5.2: "
          "@authority or @target-uri MUST be covered).", "authority_not_covered", r)
    r = m.req()
    m.sig(r).components.append('"@method"')
    m.add("component-added", "@method added to the covered components after signing.",
          "bad_signature", r)
    r = m.req()
    m.sig(r).components.append('"x-not-present"')
    m.add("component-missing", "Covers a header field the request does not have (RFC 9421 "
          "§2.5).", "missing_component", r, with_base=False)
    r = m.req()
    m.sig(r).components.append('"@authority"')
    m.add("component-duplicate", "@authority covered twice (RFC 9421 §2.5).",
          "duplicate_component", r, with_base=False)

    # Parameters changed or removed after signing.
    for name, value, reason, why in (
            ("created", str(created + 1), "bad_signature", "created + 1"),
            ("expires", str(expires - 1), "bad_signature", "expires - 1"),
            ("keyid", '"%s"' % OTHER_KEY[s0.param("keyid").strip('"')], "key_not_found",
             "the other test key's thumbprint, not in the directory"),
            ("alg", OTHER_ALG.get(s0.param("alg")), "key_alg_mismatch",
             "another algorithm than the key's (RFC 9421 §3.2 step 6)"),
            ("nonce", None, "bad_signature", "one character changed"),
            ("tag", '"not-web-bot-auth"', "wrong_tag", "another tag (draft §5.2)")):
        if s0.param(name) is None:
            continue
        r = m.req()
        if name == "nonce":
            old = s0.param("nonce")
            value = '"' + ("A" if old[1] != "A" else "B") + old[2:]
        m.sig(r).set_param(name, value)
        m.add("%s-changed" % name, "%s changed after signing: %s." % (name, why), reason, r)
    for name, reason in (("created", "missing_created"), ("expires", "missing_expires"),
                         ("keyid", "missing_keyid"), ("alg", "bad_signature"),
                         ("nonce", "bad_signature"), ("tag", "wrong_tag")):
        if s0.param(name) is None:
            continue
        r = m.req()
        m.sig(r).drop_param(name)
        why = {"alg": " alg is optional, but it was signed.",
               "nonce": " nonce is optional, but it was signed.",
               "tag": " Without the web-bot-auth tag it is not a Web Bot Auth signature."}
        m.add("%s-removed" % name, "%s removed after signing.%s" % (name, why.get(name, "")),
              reason, r)
    r = m.req()
    m.sig(r).set_param("created", '"%d"' % created)
    m.add("created-not-integer", "created is a String (RFC 9421 §2.3: an Integer).",
          "invalid_signature_params", r, with_base=False)
    if s0.param("nonce") is not None:
        r = m.req()
        m.sig(r).set_param("nonce", '""')
        m.add("nonce-empty", "Empty nonce.", "invalid_nonce", r)
    if s0.param("alg") is not None:
        r = m.req()
        m.sig(r).set_param("alg", '"hmac-sha256"')
        m.add("alg-hmac", "alg hmac-sha256 (draft §6.4: no shared secrets).",
              "unsupported_algorithm", r)
        r = m.req()
        m.sig(r).set_param("alg", '"ed448"')
        m.add("alg-unknown", "alg not in the HTTP Signature Algorithms registry.",
              "unsupported_algorithm", r)

    # Labels.
    r = m.req()
    m.sig(r).sig_label = "sig9"
    m.add("label-mismatch", "The Signature member has another label than the Signature-Input "
          "member (RFC 9421 §4).", "label_mismatch", r, with_base=False)
    r = m.req()
    s = m.sig(r)
    s.label = s.sig_label = "relabelled"
    m.add("relabelled", "Both members renamed: the label is not signed (RFC 9421 §3.2), the "
          "signature still verifies.", None, r, label="relabelled")
    m.add("label-selected", "The verifier asks for this label.", None,
          policy=dict(p.policy, label=p.label))
    m.add("label-unknown", "The verifier asks for a label the request does not have.",
          "unknown_label", policy=dict(p.policy, label="sig9"))

    # Signature and Signature-Input fields.
    r = m.req()
    m.sig(r).value_b64 = flip_first_byte(s0.value_b64)
    m.add("signature-bit-flipped", "One bit of the signature flipped.", "bad_signature", r)
    r = m.req()
    m.sig(r).value_b64 = base64.b64encode(base64.b64decode(s0.value_b64)[:-1]).decode()
    m.add("signature-truncated", "Signature one byte short.", "bad_signature", r)
    r = m.req()
    r.signature_lines = ['%s="%s"' % (p.label, s0.value_b64)]
    m.add("signature-not-bytes", "Signature member is a String, not a Byte Sequence.",
          "malformed_signature", r, with_base=False)
    r = m.req()
    r.input_lines = ['%s="not an inner list"' % p.label]
    m.add("input-not-inner-list", "Signature-Input member is not an Inner List.",
          "malformed_signature_input", r, with_base=False)
    r = m.req()
    r.input_lines = ["%s=%s" % (p.label, s0.inner_list().replace(")", "", 1))]
    m.add("input-unparsable", "Signature-Input is not a valid Dictionary (unclosed Inner "
          "List).", "malformed_signature_input", r, with_base=False)
    r = m.req()
    r.signature_lines = []
    m.add("signature-field-removed", "Signature field removed, Signature-Input kept.",
          "label_mismatch", r, with_base=False)
    r = m.req()
    r.signature_lines = []
    r.input_lines = []
    m.add("signature-fields-removed", "Neither Signature nor Signature-Input.",
          "missing_signature", r, with_base=False)
    r = m.req()
    bad = copy.deepcopy(m.sig(r))
    bad.label = bad.sig_label = "broken"
    bad.value_b64 = flip_first_byte(bad.value_b64)
    r.sigs.insert(0, bad)
    m.add("after-broken-signature", "A broken web-bot-auth signature comes first: signatures "
          "are independent (RFC 9421 §4.3), the valid one is reported.", None, r)
    r = m.req()
    r.sigs.append(Sig("proxy", ['"@authority"'], [("created", str(created)),
                                                   ("keyid", '"proxy-key"'),
                                                   ("tag", '"example-proxy"')],
                      base64.b64encode(bytes(64)).decode()))
    m.add("other-tag-signature-added", "A second signature with another tag (a proxy's) is "
          "ignored by the profile (draft §5.4).", None, r)
    # An intermediary's malformed signature next to the agent's: signatures are independent
    # (RFC 9421 §4.3) and the verifier decides per signature (§3.2), so a member that cannot be
    # parsed fails only itself and the agent's signature verifies.
    r = m.req()
    r.sigs.append(Sig("proxy", ['"@authority"', '"@authority"'],
                      [("created", str(created)), ("keyid", '"proxy-key"'),
                       ("tag", '"example-proxy"')], base64.b64encode(bytes(64)).decode()))
    m.add("other-signature-duplicate-component", "A proxy's signature (another tag) covers "
          "@authority twice: it fails only itself; the agent's signature verifies.", None, r)
    r = m.req()
    r.input_lines = [", ".join(s.input_member() for s in r.sigs) +
                     ', proxy=("@authority");created=%d;keyid="proxy-key";tag="example-proxy"'
                     % created]
    m.add("other-signature-without-value", "A proxy's Signature-Input member (another tag) has "
          "no Signature member: it fails only itself; the agent's signature verifies.", None, r)

    # Uncovered parts of the request.
    r = m.req()
    r.url = r.url.rstrip("/") + "/other/path?q=1"
    m.add("path-changed", "Path and query changed: they are not covered, so the signature "
          "still verifies.", None, r)
    r = m.req()
    r.extra.append(("Accept", "text/html"))
    m.add("header-added", "An uncovered header field added.", None, r)

    # Clock.
    m.add("at-expires", "now == expires: expired (RFC 9421 §3.2.1).", "expired", now=expires)
    m.add("created-in-future", "created is 61 s in the future (default skew 60 s).",
          "not_yet_valid", now=created - 61)
    m.add("created-at-skew-limit", "created is exactly 60 s in the future: within the default "
          "skew.", None, now=created - 60)
    m.add("created-in-future-no-skew", "created is 1 s in the future with max_clock_skew 0.",
          "not_yet_valid", now=created - 1, policy=dict(p.policy, max_clock_skew=0))

    # Keys and policy.
    m.add("no-keys", "The verifier knows no key at all: unverified.", "key_not_found", keys={})
    other = test_key("test-key-rsa-pss" if "ed25519" in p.id else "test-key-ed25519")
    if has_agent:
        m.add("directory-has-other-key", "The directory serves only another key.",
              "key_not_found", keys={"directories": [directory(AGENT_DIRECTORY, other)]})
        m.add("trusted-key", "The key is trusted statically (for any agent) instead of served "
              "by the directory.", None,
              keys={"trusted": p.keys["directories"][0]["jwks"]["keys"]})
        m.add("directory-for-other-agent", "The key is only in another agent's directory: "
              "lookup is by (directory URL, thumbprint), never by keyid alone (draft §5.4).",
              "key_not_found", keys={"directories": [directory(
                  "https://other-agent.test" + WELL_KNOWN,
                  *p.keys["directories"][0]["jwks"]["keys"])]})
    if s0.param("nonce") is not None:
        m.add("nonce-required", "A policy requiring a nonce; the request has one.", None,
              policy=dict(p.policy, require_nonce=True))
    else:
        m.add("nonce-required", "A policy requiring a nonce; the request has none.",
              "missing_nonce", policy=dict(p.policy, require_nonce=True))
    return m.out


def special_mutations(dict_p, legacy_p):
    """One-off Signature-Agent cases on the Ed25519 dictionary and legacy vectors."""
    out = []
    m = Mutator(dict_p)
    member_key = dict_p.req.agent[1][0][0]
    for suffix, value, reason, desc in (
            ("agent-member-parameter", '"https://signature-agent.test";foo=1',
             "invalid_signature_agent", "A member with an unknown parameter is ignored (-00 "
             "§5.2.1), so the covered agent is not usable."),
            ("agent-data-url", '"data:application/json,{}"', "invalid_signature_agent",
             "data: URLs are not allowed by default."),
            ("agent-userinfo", '"https://user@signature-agent.test"', "invalid_signature_agent",
             "userinfo in the agent URL."),
            ("agent-fragment", '"https://signature-agent.test/#frag"', "invalid_signature_agent",
             "A fragment: not an absolute URI (RFC 3986 §4.3)."),
            ("agent-trailing-slash", '"https://signature-agent.test/"', "bad_signature",
             "Same origin with a trailing slash: it resolves to the same directory, but the "
             "signed value differs."),
            ("agent-uppercase-host", '"https://SIGNATURE-AGENT.test"', "bad_signature",
             "Host in upper case: normalized for the lookup (RFC 3986 §6.2.2), but the signed "
             "value differs.")):
        r = m.req()
        r.agent = ("dict", [(member_key, value)])
        m.add(suffix, desc, reason, r)
    for suffix, lines, desc in (
            ("agent-member-token", ["%s=https" % member_key], "A member that is a Token, not a "
             "String."),
            ("agent-unparsable", ['%s="https://signature-agent.test' % member_key],
             "Signature-Agent is not a valid Dictionary (unterminated String)."),
            ("agent-empty", [""], "An empty Signature-Agent field.")):
        r = m.req()
        r.agent_lines = lines
        m.add(suffix, desc, "invalid_signature_agent", r, with_base=False)
    r = m.req()
    r.agent = ("dict", [(member_key, '"http://signature-agent.test"')])
    keys = {"directories": [directory("http://signature-agent.test" + WELL_KNOWN,
                                      *dict_p.keys["directories"][0]["jwks"]["keys"])]}
    m.add("agent-http-allowed", "http agents allowed by policy and the key served there: the "
          "value was still changed after signing.", "bad_signature", r,
          policy=dict(dict_p.policy, allow_http_agent=True), keys=keys)
    out += m.out

    m = Mutator(legacy_p)
    m.add("legacy-refused", "The legacy String form refused by policy.",
          "invalid_signature_agent",
          policy=dict(legacy_p.policy, accept_legacy_signature_agent=False))
    r = m.req()
    r.agent = ("dict", [(legacy_p.label, legacy_p.req.agent[1])])
    m.add("legacy-sent-as-dictionary", "The agent sent as a one-member Dictionary: plain "
          "\"signature-agent\" coverage signs the whole field value, which changed.",
          "bad_signature", r)
    r = m.req()
    r.agent = ("dict", [(legacy_p.label, legacy_p.req.agent[1]),
                        ("other", '"https://other-agent.test"')])
    m.add("legacy-coverage-two-members", "Plain \"signature-agent\" coverage of a Dictionary "
          "with two members: which agent is meant is ambiguous.", "invalid_signature_agent", r)
    r = m.req()
    s = m.sig(r)
    s.components = [c + ';key="%s"' % legacy_p.label if c == '"signature-agent"' else c
                    for c in s.components]
    m.add("legacy-covered-with-key", "Covers a member (;key) of a legacy String "
          "Signature-Agent.", "invalid_signature_agent", r, with_base=False)
    out += m.out
    return out


def mutations_file(draft, cloudflare):
    vs = []
    for p in draft:
        vs += mutations(p)
    by_id = {p.id: p for p in draft}
    vs += special_mutations(by_id["draft-E.2.1-ed25519-dict"], by_id["draft-E.2.2-ed25519-legacy"])
    for p in cloudflare:
        if p.req.agent is None and p.id.startswith("cloudflare-v2"):
            vs += mutations(p)
    return {"format": FORMAT,
            "description": "Requests of the published positive vectors changed after signing "
                           "(each covered component, each parameter, labels, fields, clock, "
                           "keys, policy), each with the exact reason our verifier gives. A "
                           "few changes keep the request valid and say so.",
            "source": "derived by us from draft-appendix-e.json and cloudflare-architecture.json "
                      "(see each vector's derived_from)",
            "vectors": vs}


# ---------------------------------------------------------------------------------------------
# RFC 9421 (profile "rfc9421": plain HTTP Message Signatures, keyid matched to kid/thumbprint)

RFC_SOURCE = "RFC 9421 §%s, testvectors/rfc9421/signatures.json %s"


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode()


def message_json(msg, headers=None, with_body=True):
    h = [list(x) for x in (headers if headers is not None else msg["headers"])]
    if "status" in msg:
        out = {"status": msg["status"], "headers": h}
    else:
        host = next(v for n, v in h if n.lower() == "host")
        out = {"method": msg["method"],
               "url": "%s://%s%s" % (msg["scheme_assumed"], host, msg["request_target"]),
               "headers": h}
    if with_body and msg.get("body") is not None:
        out["body_b64"] = b64(msg["body"])
    return out


def rfc9421_file():
    sigs = {s["id"]: s for s in load("rfc9421/signatures.json")["signatures"]}
    b4 = load("rfc9421/signatures.json")["b4_transformations"]
    msgs = load("rfc9421/messages.json")["messages"]
    vs = []

    def signed_headers(s, msg, headers=None):
        h = [list(x) for x in (headers if headers is not None else msg["headers"])]
        if not any(n.lower() == "signature-input" for n, _ in h):
            h.append(["Signature-Input", s["signature_input_field_as_published"]])
            h.append(["Signature", s["signature_field_as_published"]])
        return h

    def add(vid, s, reason=None, desc="", headers=None, request=None, keys=None, policy=None,
            now=RFC9421_NOW, body=Ellipsis, base=Ellipsis, label=Ellipsis, msg=None):
        msg = msg or msgs[s["message"]]
        h = signed_headers(s, msg, headers)
        m = message_json(msg, h)
        if body is not Ellipsis:
            m["body_b64"] = b64(body)
        response = None
        if "status" in msg:
            response, m = m, request
        lab = s["label"] if label is Ellipsis else label
        exp = expected(reason, lab, s["signature_base"] if base is Ellipsis else base)
        section = s["source"]["section"]
        vs.append(vector(vid, desc or s["source"]["title"], RFC_SOURCE % (section, s["id"]), m,
                         now, exp, policy, {"trusted": keys or [test_key(s["key"], s["key"])]},
                         profile="rfc9421", response=response))

    test_request = message_json(msgs["test-request"])
    for sid in ("rfc9421-2.5-3.1", "rfc9421-b.2.1", "rfc9421-b.2.2", "rfc9421-b.2.3",
                "rfc9421-b.2.5", "rfc9421-b.2.6", "rfc9421-b.3-ttrp", "rfc9421-4.3-sig1"):
        add(sid, sigs[sid])
    s = sigs["rfc9421-b.2.4"]
    add("rfc9421-b.2.4", s, headers=msgs["test-response"]["headers_corrected"],
        request=test_request,
        desc=s["source"]["title"] + " (Content-Digest corrected: B.2 misprints it, see "
        "testvectors/README.md)")
    add("rfc9421-b.2.4-digest-as-printed", s, "bad_signature", request=test_request,
        desc="B.2.4 with the Content-Digest value as printed in B.2, which is not the digest of "
        "the body: the signed value differs.", base=None)
    for sid in ("rfc9421-2.4-a", "rfc9421-2.4-b"):
        s = sigs[sid]
        add(sid, s, request=message_json(msgs[s["related_request"]]))
    s = sigs["rfc9421-4.3-proxy_sig"]
    add("rfc9421-4.3-proxy_sig", s,
        desc="§4.3 request after the proxy: the client's sig1 no longer verifies (authority "
        "changed), the proxy's proxy_sig does.",
        keys=[test_key("test-key-rsa", "test-key-rsa"),
              test_key("test-key-ecc-p256", "test-key-ecc-p256")])
    add("rfc9421-4.3-proxy_sig-expired", s, "expired", now=1618884540,
        desc="proxy_sig at its expires time.", policy={"label": "proxy_sig"},
        keys=[test_key("test-key-rsa", "test-key-rsa")])
    s = sigs["rfc9421-b.4-transform"]
    for i, t in enumerate(b4, 1):
        ok = t["expected_valid_per_rfc"]
        add("rfc9421-b.4-transform-%d" % i, s, None if ok else "bad_signature",
            msg=msgs[t["message"]], base=t["rebuilt_signature_base"],
            desc="B.4 transformed message %d: %s" % (
                i, "allowed transformation, still verifies" if ok else
                "covered content changed, must fail"))
    s = sigs["rfc9421-b.2.3"]
    add("rfc9421-b.2.3-body-changed", s, "digest_mismatch", body='{"hello": "w0rld"}',
        desc="B.2.3 with a changed body: the signature over Content-Digest holds, the digest "
        "does not match the body (RFC 9421 §7.2.8).")
    s = sigs["rfc9421-b.2.6"]
    h = [[n, "Tue, 20 Apr 2021 02:07:56 GMT" if n == "Date" else v]
         for n, v in msgs[s["message"]]["headers"]]
    add("rfc9421-b.2.6-date-changed", s, "bad_signature", headers=h, base=None,
        desc="B.2.6 with the covered Date changed by one second.")
    add("rfc9421-b.2.6-created-in-future", s, "not_yet_valid", now=1618884473 - 61,
        desc="B.2.6 verified 61 s before its created time.")
    add("rfc9421-b.2.1-no-key", sigs["rfc9421-b.2.1"], "key_not_found",
        keys=[test_key("test-key-ed25519", "test-key-ed25519")],
        desc="B.2.1 with only another key known.")
    add("rfc9421-b.2.2-unknown-label", sigs["rfc9421-b.2.2"], "unknown_label",
        policy={"label": "sig-nope"}, desc="B.2.2 selecting a label the message does not have.")

    # The signed directory response of the Web Bot Auth draft (E.2.3): a response signature
    # over the request's @authority and the response's Content-Digest.
    e23 = next(v for v in load("web-bot-auth/draft-vectors.json")["vectors"]
               if v["id"] == "wba-E.2.3-signed-directory-response")
    lines = e23["directory_request_http1"].split("\n")
    req = {"method": "GET", "url": "https://signature-agent.test" + WELL_KNOWN,
           "headers": [line.split(": ", 1) for line in lines[1:]]}
    jwk = test_key("test-key-ed25519")
    for suffix, body, reason, desc in (
            ("", e23["response_body_exact"], None, "Signed key directory response (possession "
             "proof): the directory's own signature, tag http-message-signatures-directory."),
            ("-body-changed", e23["response_body_exact"].replace('"sig"', '"enc"'),
             "digest_mismatch", "E.2.3 with a changed body: Content-Digest no longer matches.")):
        resp = {"status": 200, "headers": [list(x) for x in e23["response_headers_minimum"]],
                "body_b64": b64(body)}
        vs.append(vector("draft-E.2.3-signed-directory-response" + suffix, desc,
                         "%s Appendix E.2.3, testvectors/web-bot-auth/draft-vectors.json %s" % (
                             DRAFT, e23["id"]),
                         req, 1735689660, expected(reason, "binding", e23["signature_base"]),
                         {}, {"trusted": [jwk]}, profile="rfc9421", response=resp))
    return {"format": FORMAT,
            "description": "RFC 9421 example signatures (requests and responses, all five "
                           "algorithms) verified as plain HTTP Message Signatures, and the Web "
                           "Bot Auth signed directory response; a few one-fault variants.",
            "source": "testvectors/rfc9421/*.json (RFC 9421 final source, see its provenance) "
                      "and testvectors/web-bot-auth/draft-vectors.json",
            "vectors": vs}


# ---------------------------------------------------------------------------------------------
# Output


def dump(value, indent=0):
    """JSON with two-space indentation, short scalar arrays (header pairs) on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ["%s%s: %s" % (inner, json.dumps(k), dump(v, indent + 1))
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(not isinstance(x, (dict, list)) for x in value):
            return "[" + ", ".join(json.dumps(x) for x in value) + "]"
        return "[\n" + ",\n".join(inner + dump(x, indent + 1) for x in value) + "\n" + pad + "]"
    return json.dumps(value)


def build():
    draft = draft_positives()
    cloudflare = cloudflare_positives()
    files = {
        "draft-appendix-e.json": draft_file(draft),
        "cloudflare-architecture.json": cloudflare_file(cloudflare),
        "constructed-negatives.json": constructed_file(),
        "mutations.json": mutations_file(draft, cloudflare),
        "rfc9421.json": rfc9421_file(),
    }
    seen = set()
    for name, f in files.items():
        for v in f["vectors"]:
            assert v["id"] not in seen, "duplicate id " + v["id"]
            seen.add(v["id"])
    return {name: dump(f) + "\n" for name, f in files.items()}


def main(argv):
    check = "--check" in argv[1:]
    if any(a != "--check" for a in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    files = build()
    stale = 0
    for name, text in files.items():
        path = os.path.join(HERE, name)
        if not check:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            continue
        try:
            with open(path, encoding="utf-8", newline="") as f:
                old = f.read()
        except OSError as e:
            print("%s: %s" % (name, e), file=sys.stderr)
            stale += 1
            continue
        if old != text:
            stale += 1
            a, b = old.splitlines(), text.splitlines()
            line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            print("%s differs from the generator output at line %d:\n  file:      %s\n"
                  "  generated: %s" % (name, line + 1, a[line] if line < len(a) else "<end>",
                                       b[line] if line < len(b) else "<end>"), file=sys.stderr)
    extra = sorted(n for n in os.listdir(HERE) if n.endswith(".json") and n not in files)
    for name in extra:
        print("%s is not produced by the generator" % name, file=sys.stderr)
    if check:
        if stale or extra:
            print("run testvectors/webbotauth/build_vectors.py and check in the result",
                  file=sys.stderr)
            return 1
        print("%d files up to date" % len(files))
    else:
        counts = {n: len(json.loads(t)["vectors"]) for n, t in files.items()}
        print(", ".join("%s: %d" % kv for kv in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
