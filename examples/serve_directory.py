#!/usr/bin/env python3
"""Serves a key directory response made by `wba directory` (an HTTP/1.1 response file) at
/.well-known/http-message-signatures-directory on 127.0.0.1, for demos and local testing.

usage: serve_directory.py RESPONSE_FILE PORT
"""
import http.server
import sys

WELL_KNOWN = "/.well-known/http-message-signatures-directory"


def load(path):
    raw = open(path, "rb").read()
    head, _, body = raw.partition(b"\r\n\r\n")
    if not _:
        head, _, body = raw.partition(b"\n\n")
    lines = head.decode().splitlines()[1:]
    headers = [tuple(line.split(": ", 1)) for line in lines if ": " in line]
    return [(n, v) for n, v in headers if n.lower() != "content-length"], body


def main():
    headers, body = load(sys.argv[1])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != WELL_KNOWN:
                self.send_error(404)
                return
            self.send_response(200)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("directory: " + (fmt % args) + "\n")

    http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()


if __name__ == "__main__":
    main()
