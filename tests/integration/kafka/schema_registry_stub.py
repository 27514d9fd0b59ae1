# A stand-in for the Confluent Schema Registry: python http.server on 127.0.0.1 serving the REST
# calls velo and Confluent's Python serializers make (register, look up, schema by id, a subject's
# latest or numbered version), keeping each schema's schemaType (AVRO, JSON, PROTOBUF) and
# references. Used by the Kafka integration test and bench/kafka_bench.sh because no Schema
# Registry can be installed here.
# Usage: /usr/bin/python3 schema_registry_stub.py PORT_FILE   (writes the port it listens on)
import json, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
schemas, subjects, lock = {}, {}, threading.Lock()  # id -> {schema, schemaType, references}
def fields(i):
    s = schemas[i]
    out = {"id": i, "schema": s["schema"]}
    if s["schemaType"] != "AVRO":
        out["schemaType"] = s["schemaType"]
    if s["references"]:
        out["references"] = s["references"]
    return out
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def parts(self):
        path = urllib.parse.urlsplit(self.path).path
        return [urllib.parse.unquote(p) for p in path.split("/")]
    def do_GET(self):
        p = self.parts()
        with lock:
            if p[1:3] == ["schemas", "ids"] and int(p[3]) in schemas:
                return self.answer(200, fields(int(p[3])))
            if p[1] == "subjects" and len(p) == 5 and p[3] == "versions" and p[2] in subjects:
                versions = subjects[p[2]]
                v = len(versions) if p[4] == "latest" else int(p[4])
                if 1 <= v <= len(versions):
                    return self.answer(200, dict(fields(versions[v - 1]), subject=p[2], version=v))
        self.answer(404, {"error_code": 40401, "message": "not found"})
    def do_POST(self):
        p = self.parts()
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        entry = {"schema": req["schema"], "schemaType": req.get("schemaType", "AVRO"),
                 "references": req.get("references") or []}
        with lock:
            versions = subjects.setdefault(p[2], [])
            if len(p) == 3:  # POST /subjects/{s}: look the schema up
                for v, i in enumerate(versions):
                    if schemas[i] == entry:
                        return self.answer(200, dict(fields(i), subject=p[2], version=v + 1))
                return self.answer(404, {"error_code": 40403, "message": "Schema not found"})
            i = next((k for k, v in schemas.items() if v == entry), len(schemas) + 1)
            schemas[i] = entry
            if i not in versions:
                versions.append(i)
        self.answer(200, {"id": i})
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
