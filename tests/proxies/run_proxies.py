#!/usr/bin/env python3
"""Real nginx (auth_request) and Caddy (forward_auth) in front of a test upstream, asking wbad,
all on loopback with the configs shipped in examples/. Checks that a signed request reaches the
upstream with identity headers, that tampered, expired, replayed and unsigned requests get 401,
and that identity headers forged by the client never reach the upstream.

usage: run_proxies.py --wba PATH --wbad PATH --source DIR
"""
import argparse, http.client, http.server, json, os, re, shutil, signal, socket, subprocess
import sys, tempfile, threading, time

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

    def do_GET(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        Upstream.seen.append(headers)
        body = json.dumps(headers).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def sign(wba, work, key, host, path, extra=()):
    msg = os.path.join(work, "req.http")
    with open(msg, "w") as f:
        f.write(f"GET {path} HTTP/1.1\nHost: {host}\n\n")
    out = subprocess.run([wba, "sign", "--profile", "web-bot-auth", "--key", key,
                          "--signature-agent", "https://agent.example",
                          "--components", '"@method" "@path"', *extra, msg],
                         check=True, capture_output=True, text=True).stdout
    headers = []
    for line in out.splitlines()[1:]:
        if not line:
            break
        name, value = line.split(": ", 1)
        if name.lower() != "host":
            headers.append((name, value))
    return headers


def get(port, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", f"127.0.0.1:{port}")
    for n, v in headers:
        conn.putheader(n, v)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wba", required=True)
    ap.add_argument("--wbad", required=True)
    ap.add_argument("--source", required=True)
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
