#!/usr/bin/env python3
"""Real nginx (auth_request) and Caddy (forward_auth) in front of a test upstream, asking wbad,
all on loopback with the configs shipped in examples/. Checks that a signed request reaches the
upstream with identity headers, that tampered, expired, replayed and unsigned requests get 401,
and that identity headers forged by the client never reach the upstream.

Then delegation (docs/DELEGATION.md): tokens from the test authorization server wba_test_as (a
user token, and its RFC 8693 exchange naming the agent as actor and bound to its key), wbad
restarted trusting that issuer, and through both proxies: a bound token reaches the upstream as
"agent X acting for user Y"; a transplanted token, a user's own token and a token the signature
does not cover get 401 (with WWW-Authenticate, and Accept-Signature for the last) and never reach
the upstream; forged delegation headers never reach it either.

usage: run_proxies.py --wba PATH --wbad PATH --source DIR --test-as PATH --actor-token PATH
"""
import argparse, http.client, http.server, json, os, re, select, shutil, signal, socket
import subprocess, sys, tempfile, threading, time, urllib.parse

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not listen on {port}")


class Upstream(http.server.BaseHTTPRequestHandler):
    """Answers 200 with the headers it received, as JSON; remembers the last request."""
    seen = []
    raw = []  # every header line as received, repeated names included

    def do_GET(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        Upstream.seen.append(headers)
        Upstream.raw.append([(k.lower(), v) for k, v in self.headers.items()])
        body = json.dumps(headers).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def sign(wba, work, key, host, path, extra=(), agent="https://agent.example",
         components='"@method" "@path"'):
    msg = os.path.join(work, "req.http")
    with open(msg, "w") as f:
        f.write(f"GET {path} HTTP/1.1\nHost: {host}\n\n")
    comps = ["--components", components] if components else []
    out = subprocess.run([wba, "sign", "--profile", "web-bot-auth", "--key", key,
                          "--signature-agent", agent, *comps, *extra, msg],
                         check=True, capture_output=True, text=True).stdout
    headers = []
    for line in out.splitlines()[1:]:
        if not line:
            break
        name, value = line.split(": ", 1)
        if name.lower() != "host":
            headers.append((name, value))
    return headers


def get(port, path, headers, full=False):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", f"127.0.0.1:{port}")
    for n, v in headers:
        conn.putheader(n, v)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    if full:
        return r.status, body, {k.lower(): v for k, v in r.getheaders()}
    return r.status, body


def exercise(name, port, wba, work, key):
    host = f"127.0.0.1:{port}"
    Upstream.seen.clear()
    # A signed request reaches the upstream with identity headers.
    status, body = get(port, "/page?x=1", sign(wba, work, key, host, "/page?x=1"))
    seen = json.loads(body) if status == 200 else {}
    check(f"{name}: signed request passes", status == 200, f"status {status}")
    check(f"{name}: upstream gets the agent", seen.get("x-agent-url") == "https://agent.example",
          json.dumps(seen))
    check(f"{name}: upstream gets verified=true", seen.get("x-agent-verified") == "true",
          json.dumps(seen))
    thumb = subprocess.run([wba, "thumbprint", key], check=True, capture_output=True,
                           text=True).stdout.strip()
    check(f"{name}: upstream gets the key thumbprint", seen.get("x-agent-key-thumbprint") == thumb,
          json.dumps(seen))
    # Forged identity headers on a valid request are replaced by wbad's.
    forged = sign(wba, work, key, host, "/f") + [("X-Agent-Url", "https://forged.example"),
                                                  ("X-Agent-Key-Thumbprint", "forged")]
    status, body = get(port, "/f", forged)
    seen = json.loads(body) if status == 200 else {}
    check(f"{name}: forged headers on a signed request are overwritten",
          status == 200 and seen.get("x-agent-url") == "https://agent.example"
          and seen.get("x-agent-key-thumbprint") == thumb, f"{status} {json.dumps(seen)}")
    # Unsigned with forged identity: refused, upstream never sees it.
    before = len(Upstream.seen)
    status, _ = get(port, "/u", [("X-Agent-Url", "https://forged.example"),
                                 ("X-Agent-Verified", "true")])
    check(f"{name}: unsigned request with forged identity gets 401", status == 401, f"status {status}")
    check(f"{name}: upstream never saw it", len(Upstream.seen) == before)
    # Tampered: signed for one path, sent to another.
    status, _ = get(port, "/other", sign(wba, work, key, host, "/page"))
    check(f"{name}: tampered request gets 401", status == 401, f"status {status}")
    # Expired: created two minutes ago, 60-second lifetime.
    old = str(int(time.time()) - 120)
    status, _ = get(port, "/e", sign(wba, work, key, host, "/e", ("--created", old, "--lifetime", "60")))
    check(f"{name}: expired request gets 401", status == 401, f"status {status}")
    # Replayed: the same signed request twice.
    h = sign(wba, work, key, host, "/r")
    first, _ = get(port, "/r", h)
    second, _ = get(port, "/r", h)
    check(f"{name}: replayed request gets 401", first == 200 and second == 401, f"{first} then {second}")


# -- delegation ---------------------------------------------------------------------------------

USER = "u_alice"
AGENT = "https://agent.example"
OTHER = "https://other.example"
AUDIENCE = "https://api.shop.example"
CLIENT = "agent-client-7"  # the agent's OAuth client_id at the AS (wbad: --actor-alias)
FORGED = [("X-Agent-Principal", "forged-user"), ("X-Agent-Actor", "https://forged.example"),
          ("X-Agent-Binding", "forged"), ("X-Agent-Delegation", "forged")]


def as_post(port, path, form):
    """POSTs a form to the test AS; its JSON answer (raises on a non-200)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, urllib.parse.urlencode(form),
                 {"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    body = r.read().decode()
    conn.close()
    if r.status != 200:
        raise SystemExit(f"test AS {path}: {r.status} {body}")
    return json.loads(body)


def mint_tokens(args, as_port, issuer, key):
    """The tokens of the scenario, from the AS's HTTP endpoints (and an actor token signed with
    the agent's key by wba_actor_token)."""
    user = as_post(as_port, "/dev/user-token", {"sub": USER, "scope": "orders:read orders:write",
                                                "aud": AUDIENCE})["access_token"]
    actor = subprocess.run([args.actor_token, key, AGENT, issuer], check=True,
                           capture_output=True, text=True).stdout.strip()
    exchanged = as_post(as_port, "/token", {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": user,
        "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "actor_token": actor,
        "actor_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "scope": "orders:read"})
    # No act, client_id = the agent's client (an alias of AGENT for wbad): bound by identity,
    # presented as Bearer (P3).
    client = as_post(as_port, "/dev/user-token", {"sub": USER, "client_id": CLIENT,
                                                  "scope": "orders:read", "aud": AUDIENCE})
    return {"user": user, "exchanged": exchanged["access_token"],
            "exchanged_type": exchanged.get("token_type"), "client": client["access_token"]}


def exercise_tokens(name, port, wba, work, keys, tokens, issuer, thumb, reasons):
    """The delegation checks through one proxy. `reasons`: the proxy hands wbad's 401 answer to
    the client as is (Caddy), so X-Agent-Reason can be checked too (nginx passes only
    WWW-Authenticate)."""
    host = f"127.0.0.1:{port}"
    key, other = keys

    def signed(path, k=key, agent=AGENT, extra=(), components=None):
        return sign(wba, work, k, host, path, ("--scheme", "http", *extra), agent, components)

    def refused(what, path, headers, expect_reason, expect_scheme):
        before = len(Upstream.seen)
        status, _, h = get(port, path, headers, full=True)
        check(f"{name}: {what} gets 401", status == 401, f"status {status} {h}")
        challenge = h.get("www-authenticate", "")
        check(f"{name}: {what}: WWW-Authenticate {expect_scheme}",
              challenge.startswith(expect_scheme + " ") or challenge == expect_scheme,
              f"WWW-Authenticate {challenge!r}")
        check(f"{name}: {what}: upstream never saw it", len(Upstream.seen) == before,
              json.dumps(Upstream.seen[before:]))
        if reasons:
            got = h.get("x-agent-reason", "")
            check(f"{name}: {what}: reason {'|'.join(expect_reason)}", got in expect_reason,
                  f"X-Agent-Reason {got!r}")
        return h

    # 1. The exchanged token (act.sub = the agent, cnf.jkt = its key), DPoP proof by that key,
    #    with forged delegation headers from the client: wbad's values replace them.
    before = len(Upstream.seen)
    status, body = get(port, "/orders/42",
                       signed("/orders/42", extra=("--dpop-token", tokens["exchanged"])) + FORGED)
    seen = json.loads(body) if status == 200 else {}
    raw = Upstream.raw[before] if len(Upstream.raw) > before else []
    check(f"{name}: DPoP-bound exchanged token passes", status == 200, f"status {status}")
    check(f"{name}: upstream gets principal = the user, actor = the agent",
          seen.get("x-agent-principal") == USER and seen.get("x-agent-actor") == AGENT,
          json.dumps(seen))
    check(f"{name}: upstream gets binding key+identity, explicit_act, issuer, scope, client",
          seen.get("x-agent-binding") == "key+identity"
          and seen.get("x-agent-delegation") == "explicit_act"
          and seen.get("x-agent-issuer") == issuer and seen.get("x-agent-scope") == "orders:read"
          and seen.get("x-agent-client-id") == AGENT and seen.get("x-agent-actor-chain") == AGENT
          and bool(seen.get("x-agent-token-id"))
          and seen.get("x-agent-token-expires", "").isdigit()
          and seen.get("x-agent-key-thumbprint") == thumb, json.dumps(seen))
    forged_values = {v for _, v in FORGED}
    check(f"{name}: forged delegation headers on a bound request never reach the upstream",
          status == 200 and not any(v in forged_values for _, v in raw)
          and sum(1 for n, _ in raw if n == "x-agent-principal") == 1, json.dumps(raw))

    # 2. Bound by identity only (client_id = the agent's client id, no act, no cnf), Bearer,
    #    the signature covering it: the actor is that client (delegation implicit_client).
    status, body, h = get(port, "/orders/43",
                          signed("/orders/43", extra=("--bearer", tokens["client"])), full=True)
    seen = json.loads(body) if status == 200 else {}
    check(f"{name}: Bearer token naming the agent's client, signature covering it, passes",
          status == 200 and seen.get("x-agent-principal") == USER
          and seen.get("x-agent-actor") == CLIENT and seen.get("x-agent-binding") == "identity"
          and seen.get("x-agent-delegation") == "implicit_client",
          f"status {status} {json.dumps(seen)} {h}")

    # 3. A signed request without a token: delegation headers empty, forged ones dropped.
    status, body = get(port, "/orders/44", signed("/orders/44", components='"@method" "@path"')
                       + FORGED)
    seen = json.loads(body) if status == 200 else {}
    check(f"{name}: no token: delegation headers empty, forged ones dropped",
          status == 200 and seen.get("x-agent-principal", "") == ""
          and seen.get("x-agent-actor", "") == "" and seen.get("x-agent-binding", "") == "",
          f"status {status} {json.dumps(seen)}")

    # 4. Transplant: another agent (its own trusted key) presents the exchanged token with its
    #    own DPoP proof, plus forged headers naming the real user and agent.
    refused("token transplanted to another agent (DPoP)", "/orders/45",
            signed("/orders/45", k=other, agent=OTHER, extra=("--dpop-token", tokens["exchanged"]))
            + [("X-Agent-Principal", USER), ("X-Agent-Actor", AGENT)],
            # cnf.jkt ≠ the proof key: invalid_dpop_proof (DELEGATION.md §5); §2 calls a
            # transplant of a key-bound token cnf_key_mismatch: either is a refusal.
            ("invalid_dpop_proof", "cnf_key_mismatch"), "DPoP")
    # 5. Transplant of the identity-bound token, Bearer, covered by the other agent's signature.
    refused("identity-bound token transplanted to another agent (Bearer)", "/orders/46",
            signed("/orders/46", k=other, agent=OTHER, extra=("--bearer", tokens["client"])),
            ("agent_binding_mismatch",), "Bearer")
    # 6. The user's own token used by the agent.
    refused("the user's own token used by the agent", "/orders/47",
            signed("/orders/47", extra=("--bearer", tokens["user"])),
            ("agent_binding_mismatch",), "Bearer")
    # 7. The cnf-bound token presented as Bearer (RFC 9449 §7.2).
    refused("DPoP-bound token presented as Bearer", "/orders/48",
            signed("/orders/48", extra=("--bearer", tokens["exchanged"])),
            ("pop_scheme_mismatch",), "Bearer")
    # 8. The signature does not cover Authorization: 401 asking for the coverage.
    h = refused("token not covered by the signature", "/orders/49",
                signed("/orders/49", components='"@method" "@path"')
                + [("Authorization", "Bearer " + tokens["client"])],
                ("authorization_not_signed",), "Bearer")
    accept = h.get("accept-signature", "")
    check(f"{name}: token not covered: Accept-Signature asks for authorization",
          '"authorization"' in accept and '"@method"' in accept and "web-bot-auth" in accept,
          f"Accept-Signature {accept!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wba", required=True)
    ap.add_argument("--wbad", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--test-as", required=True, help="wba_test_as (tests/daemon/token)")
    ap.add_argument("--actor-token", required=True, help="wba_actor_token (tests/proxies)")
    args = ap.parse_args()
    for tool in ("nginx", "caddy"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            print(f"FAIL {tool} is not installed (scripts/install-deps.sh --test installs it)")
            print("0 passed, 1 failed")
            return 1
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = tempfile.mkdtemp(prefix="wba-proxies-")
    procs = []
    try:
        key = os.path.join(work, "agent.jwk")
        with open(key, "w") as f:
            f.write(subprocess.run([args.wba, "keygen"], check=True, capture_output=True, text=True).stdout)
        pub = subprocess.run([args.wba, "pubkey", key], check=True, capture_output=True, text=True).stdout
        trust = os.path.join(work, "trust.json")
        with open(trust, "w") as f:
            f.write('{"keys": [' + pub + "]}")

        up_port, wbad_port, nginx_port, caddy_port = (free_port() for _ in range(4))
        upstream = http.server.ThreadingHTTPServer(("127.0.0.1", up_port), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()

        wbad = subprocess.Popen([args.wbad, "--listen", f"127.0.0.1:{wbad_port}",
                                 "--trust", f"https://agent.example={trust}", "--log-level", "warn"])
        procs.append(wbad)
        wait_port(wbad_port, wbad, "wbad")

        def ports(text, listen):
            return (text.replace("127.0.0.1:8421", f"127.0.0.1:{wbad_port}")
                        .replace("127.0.0.1:9000", f"127.0.0.1:{up_port}")
                        .replace(listen, f"127.0.0.1:{nginx_port if listen.endswith('8080') else caddy_port}"))

        # nginx with the shipped server block inside a minimal main configuration.
        with open(os.path.join(args.source, "examples/nginx/wbad.conf")) as f:
            server_block = ports(f.read(), "127.0.0.1:8080")
        for d in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(work, "nginx", d), exist_ok=True)
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; worker_processes 1;
pid {work}/nginx.pid; error_log {work}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx/client; proxy_temp_path {work}/nginx/proxy;
  fastcgi_temp_path {work}/nginx/fastcgi; uwsgi_temp_path {work}/nginx/uwsgi;
  scgi_temp_path {work}/nginx/scgi;
{server_block}
}}
""")
        ng = subprocess.Popen([nginx, "-c", conf, "-p", work], stderr=subprocess.DEVNULL)
        procs.append(ng)
        wait_port(nginx_port, ng, "nginx")
        exercise("nginx", nginx_port, args.wba, work, key)

        with open(os.path.join(args.source, "examples/caddy/Caddyfile")) as f:
            caddyfile = ports(f.read(), "127.0.0.1:8081")
        cf = os.path.join(work, "Caddyfile")
        with open(cf, "w") as f:
            f.write(caddyfile)
        env = dict(os.environ, HOME=work, XDG_DATA_HOME=work, XDG_CONFIG_HOME=work)
        cd = subprocess.Popen(["caddy", "run", "--config", cf, "--adapter", "caddyfile"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        procs.append(cd)
        wait_port(caddy_port, cd, "caddy")
        exercise("caddy", caddy_port, args.wba, work, key)

        # Delegation: the test AS on plain http (wbad takes its keys from the JWKS file it
        # writes, so nothing is fetched), the agent registered with it by its public key.
        other = os.path.join(work, "other.jwk")
        with open(other, "w") as f:
            f.write(subprocess.run([args.wba, "keygen"], check=True, capture_output=True,
                                   text=True).stdout)
        other_trust = os.path.join(work, "other-trust.json")
        with open(other_trust, "w") as f:
            f.write('{"keys": [' + subprocess.run([args.wba, "pubkey", other], check=True,
                                                  capture_output=True, text=True).stdout + "]}")
        agent_pub = os.path.join(work, "agent.pub.jwk")
        with open(agent_pub, "w") as f:
            f.write(pub)
        as_port = free_port()
        issuer = f"http://127.0.0.1:{as_port}"
        as_jwks = os.path.join(work, "as.jwks.json")
        test_as = subprocess.Popen([args.test_as, "--http", "--port", str(as_port),
                                    "--jwks-out", as_jwks, "--audience", AUDIENCE,
                                    "--agent", f"{AGENT}={agent_pub}"],
                                   stdout=subprocess.PIPE, text=True)
        procs.append(test_as)
        # Its first line is printed once it listens and the JWKS is written.
        ready, _, _ = select.select([test_as.stdout], [], [], 20)
        line = test_as.stdout.readline() if ready else ""
        if not line.startswith("wba_test_as: issuer"):
            raise SystemExit(f"wba_test_as did not start: {line!r}")
        tokens = mint_tokens(args, as_port, issuer, key)
        check("test AS: the exchange answers a DPoP token", tokens["exchanged_type"] == "DPoP",
              str(tokens["exchanged_type"]))

        # wbad again on the same port, now trusting the AS (and a second agent for transplants).
        wbad.send_signal(signal.SIGTERM)
        wbad.wait(10)
        procs.remove(wbad)
        wbad = subprocess.Popen([args.wbad, "--listen", f"127.0.0.1:{wbad_port}",
                                 "--trust", f"{AGENT}={trust}", "--trust", f"{OTHER}={other_trust}",
                                 "--allow-http-directories", "--issuer", f"{issuer}={as_jwks}",
                                 "--audience", AUDIENCE,
                                 "--actor-alias", f"{issuer} {CLIENT}={AGENT}",
                                 "--log-level", "warn"])
        procs.append(wbad)
        wait_port(wbad_port, wbad, "wbad")
        thumb = subprocess.run([args.wba, "thumbprint", key], check=True, capture_output=True,
                               text=True).stdout.strip()
        for name, port, reasons in (("nginx", nginx_port, False), ("caddy", caddy_port, True)):
            exercise_tokens(name, port, args.wba, work, (key, other), tokens, issuer, thumb,
                            reasons)
        upstream.shutdown()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
