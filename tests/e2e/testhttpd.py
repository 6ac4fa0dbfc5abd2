#!/usr/bin/python3
"""A small HTTP(S) server for the end-to-end tests of ocop's HTTP client.

testhttpd.py PORT_FILE DIR [--tls CERT KEY] [--post-status N]

Listens on 127.0.0.1 at a free port and writes "PORT\\n" to PORT_FILE once
listening. GET /NAME serves DIR/NAME (404 when missing); GET /big/N sends
N MiB of CSV-looking bytes without a Content-Length; POST answers
--post-status (default 500) with a JSON error body.
"""
import http.server
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/big/"):
            mib = int(self.path[5:])
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            line = b"x" * 1023 + b"\n"
            chunk = line * 1024
            try:
                for _ in range(mib):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        path = os.path.join(self.server.dir, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        body = b'{"error":{"status":%d,"message":"test server"}}' % \
            self.server.post_status
        self.send_response(self.server.post_status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    args = sys.argv[1:]
    port_file, root = args[0], args[1]
    tls = None
    post_status = 500
    i = 2
    while i < len(args):
        if args[i] == "--tls":
            tls = (args[i + 1], args[i + 2])
            i += 3
        elif args[i] == "--post-status":
            post_status = int(args[i + 1])
            i += 2
        else:
            sys.exit("testhttpd: unknown argument " + args[i])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.dir = root
    srv.post_status = post_status
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
