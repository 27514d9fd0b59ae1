"""An HTTP proxy in front of s3rver that makes the crash test's kill land exactly between a
checkpoint and its commit: once <trigger> exists (the job's second checkpoint file), every
CompleteMultipartUpload is held unanswered and <stalled> is created; the test then kills the
job. Held requests are never forwarded (they are dropped when <release> appears), so only the
restarted job's recovery can publish those files. Everything else is forwarded unchanged.
Usage: commit_stall_proxy.py <port> <upstream port> <trigger> <stalled> <release>
"""
import http.client
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UPSTREAM = int(sys.argv[1]), int(sys.argv[2])
TRIGGER, STALLED, RELEASE = sys.argv[3:6]


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        completing = self.command == "POST" and "uploadId=" in self.path
        if completing and os.path.exists(TRIGGER) and not os.path.exists(RELEASE):
            open(STALLED, "a").close()
            while not os.path.exists(RELEASE):
                time.sleep(0.05)
            self.close_connection = True
            return
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
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
