"""An HTTP proxy that misbehaves on purpose, for the object-store fault test.

Forwards every request to an upstream (s3rver), except that, on a fixed schedule over the
requests it receives (so every run sees faults, whatever the interleaving of threads), it
  - closes the connection without answering (a dropped connection): requests 1, 11, 21, ...
  - answers 503 with S3's SlowDown error (throttling): requests 4, 14, 24, ...
  - forwards a GET but cuts the body off half way (a connection lost mid-transfer), or drops
    any other request: requests 7, 17, 27, ...
Counts what it did in <stats file> (JSON) so the test can show faults really happened.
Usage: fault_proxy.py <port> <upstream port> <stats file>
"""
import http.client
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UPSTREAM, STATS = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
received = 0
stats = {"forwarded": 0, "dropped": 0, "slowdown": 0, "truncated": 0}
SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message></Error>')


def count(what):
    with lock:
        stats[what] += 1
        with open(STATS, "w") as f:
            json.dump(stats, f)


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        global received
        with lock:
            received += 1
            slot = received % 10
        if slot == 1 or (slot == 7 and self.command != "GET"):
            count("dropped")
            self.close_connection = True
            return
        if slot == 4:
            count("slowdown")
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            if self.command == "HEAD":  # a HEAD answer has no body, even an error
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(SLOWDOWN)))
            self.end_headers()
            self.wfile.write(SLOWDOWN)
            return
        truncate = slot == 7
        up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
        up.request(self.command, self.path, body=body if self.command in ("PUT", "POST") else None,
                   headers=headers)
        resp = up.getresponse()
        data = resp.read()
        up.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            count("forwarded")
            return
        if truncate and len(data) > 1:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            count("truncated")
            return
        self.wfile.write(data)
        count("forwarded")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
