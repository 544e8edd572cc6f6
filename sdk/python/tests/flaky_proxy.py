"""A misbehaving network between the SDK and the real collector: a local HTTP proxy (not ours)
that fails requests as a test asks, then forwards the rest unchanged."""
import gzip
import http.client
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

RESET = "reset"


def status(code, retry_after=None):
    return ("status", code, retry_after)


def slow(seconds):
    return ("slow", seconds)


class FlakyProxy:
    def __init__(self, target):
        self.target = urlsplit(target)
        self.log = []  # (path, outcome) of every request, in order
        self.encodings = []  # the Content-Encoding of every request, in order
        self._pending = []
        self._always = None
        self._poison = None
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                proxy._handle(self)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def fail_next(self, *faults):
        with self._lock:
            self._pending.extend(faults)

    def fail_always(self, fault):
        self._always = fault

    def refuse_bodies_containing(self, text):
        """A request whose body holds ``text`` is answered 400, as the collector does for a bad span."""
        self._poison = text

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, request):
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        path = request.path
        self.encodings.append(request.headers.get("Content-Encoding", "identity"))
        with self._lock:
            fault = self._pending.pop(0) if self._pending else self._always
        if fault == RESET:
            self.log.append((path, "reset"))
            # SO_LINGER 0: close with a TCP reset instead of an orderly goodbye
            request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.close_connection = True
            request.connection.close()
            return
        if fault and fault[0] == "status":
            _, code, retry_after = fault
            self.log.append((path, str(code)))
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            self._answer(request, code, json.dumps({"error": f"injected {code}"}).encode(), headers)
            return
        if fault and fault[0] == "slow":
            time.sleep(fault[1])
        plain = gzip.decompress(body) if request.headers.get("Content-Encoding") == "gzip" else body
        if self._poison and self._poison.encode() in plain:
            self.log.append((path, "400"))
            self._answer(request, 400, json.dumps({"error": f"spans[0].name: contains {self._poison}"}).encode())
            return
        upstream = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=10)
        forwarded = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type", "content-encoding", "accept")}
        upstream.request(request.command, path, body=body if request.command == "POST" else None, headers=forwarded)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        self.log.append((path, str(answer.status)))
        self._answer(request, answer.status, data)

    @staticmethod
    def _answer(request, code, data, headers=None):
        request.send_response(code)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)
        request.close_connection = True
