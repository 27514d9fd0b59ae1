# A stand-in for the Confluent Schema Registry: python http.server on 127.0.0.1 serving the REST
# calls velo makes (register, schema by id, latest of a subject), used by the Kafka integration test
# and bench/kafka_bench.sh because no Schema Registry can be installed here.
# Usage: /usr/bin/python3 schema_registry_stub.py PORT_FILE   (writes the port it listens on)
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
schemas, subjects, lock = {}, {}, threading.Lock()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        p = self.path.split("/")
        with lock:
            if p[1:3] == ["schemas", "ids"] and int(p[3]) in schemas:
                return self.answer(200, {"schema": schemas[int(p[3])]})
            if p[1] == "subjects" and p[3:] == ["versions", "latest"] and p[2] in subjects:
                i = subjects[p[2]][-1]
                return self.answer(200, {"subject": p[2], "version": len(subjects[p[2]]),
                                         "id": i, "schema": schemas[i]})
        self.answer(404, {"error_code": 40401, "message": "not found"})
    def do_POST(self):
        p = self.path.split("/")
        schema = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["schema"]
        with lock:
            i = next((k for k, v in schemas.items() if v == schema), len(schemas) + 1)
            schemas[i] = schema
            subjects.setdefault(p[2], []).append(i)
        self.answer(200, {"id": i})
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
