"""Stands in for Google's OAuth2 token endpoint and checks the bearer token on the way to the
storage emulator, for the gs:// service-account test (no GCS emulator exists here).

  POST /token   verifies the RS256 JWT assertion (RFC 7523) with the service account's public
                key (python3-cryptography) and its claims, then answers {"access_token": ...}
  anything else must carry "Authorization: Bearer <that token>" (else 401) and is forwarded to
                the upstream S3 emulator (s3rver), which plays GCS's XML API.
Usage: gcs_oauth_stub.py <port> <upstream port> <public key PEM> <client email> <log file>
"""
import base64
import http.client
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PORT, UPSTREAM, PUBKEY, EMAIL, LOG = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                      sys.argv[4], sys.argv[5])
TOKEN = "ya29.velo-test-token"
public_key = serialization.load_pem_public_key(open(PUBKEY, "rb").read())


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def token(self, body):
        form = urllib.parse.parse_qs(body.decode())
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return self.reply(400, b'{"error":"unsupported_grant_type"}')
        header, claims, sig = form["assertion"][0].split(".")
        try:
            public_key.verify(b64url(sig), f"{header}.{claims}".encode(), padding.PKCS1v15(),
                              hashes.SHA256())
        except Exception:
            log("token: bad signature")
            return self.reply(400, b'{"error":"invalid_grant"}')
        h, c = json.loads(b64url(header)), json.loads(b64url(claims))
        now = time.time()
        ok = (h.get("alg") == "RS256" and c.get("iss") == EMAIL and
              c.get("aud") == f"http://127.0.0.1:{PORT}/token" and
              "devstorage" in c.get("scope", "") and c["iat"] - 300 < now < c["exp"])
        if not ok:
            log(f"token: bad claims {h} {c}")
            return self.reply(400, b'{"error":"invalid_grant"}')
        log(f"token: issued to {c['iss']}")
        self.reply(200, json.dumps({"access_token": TOKEN, "expires_in": 3600,
                                    "token_type": "Bearer"}).encode())

    def handle_any(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        if self.command == "POST" and self.path == "/token":
            return self.token(body)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            log(f"storage: rejected {self.command} {self.path}")
            return self.reply(401, b"<Error><Code>AuthenticationRequired</Code></Error>",
                              "application/xml")
        log(f"storage: {self.command} {self.path.split('?')[0]} with the bearer token")
        up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "authorization")}
        up.request(self.command, self.path, body=body or None, headers=headers)
        resp = up.getresponse()
        data = resp.read()
        up.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", resp.getheader("Content-Length", "0")
                         if self.command == "HEAD" else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Stub).serve_forever()
