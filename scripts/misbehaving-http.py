#!/usr/bin/env python3
"""HTTP endpoints on 127.0.0.1 that misbehave on purpose, for the health prober's tests.

    misbehaving-http.py [TOKEN]   prints "ready http://127.0.0.1:PORT", serves until killed

/ok          200 {"ok":true,"status":"live"}        /ready-false  200 {"ready":false}
/204         204, no body                            /ok-false     200 {"ok":false}
/404 /500    that status                             /html         200 an HTML page (a SPA answering /health)
/text        200 "ok" as plain text                  /huge         200 with a 20 MB body
/garbage     raw bytes that are not HTTP             /hang         accepts, never answers
/hang-body   headers of a 200, then nothing          /slow         200 after 1.5 s

An OpenClaw gateway's readiness answers, with the exact bodies OpenClaw's own tests assert:
/openclaw/channels    503 not ready: discord, telegram    /openclaw/draining   503 gateway-draining
/openclaw/bare        503 {"ready":false} (no token)      /openclaw/startupz   200 starting: startup-sidecars
/openclaw/conditions  503 with conditions, failures and advisories as OpenClaw merges them (one message carries
                      escape sequences, and a key no gateway sends yet is there to be ignored)
/openclaw/huge        503 with a 2 MB body
/openclaw/gated?…     what a remote caller gets: the channels detail with "Authorization: Bearer TOKEN", else
                      {"ready":false}; /requests counts, per path, the calls with the right token, a wrong one, none
/flippable   200 {"ok":true} until /flip is asked, then 503, and back on the next /flip (a query after
             /flippable is ignored, so that several clients can be told apart in /counts)
/counts      every GET so far, per path and query: {"/flippable?console": 12, ...}
"""
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = sys.argv[1] if len(sys.argv) > 1 else None
SEEN = {}
SEEN_LOCK = threading.Lock()
COUNTS = {}
FLIPPED = threading.Event()

CHANNELS = b'{"ready":false,"failing":["discord","telegram"],"uptimeMs":8000}'
CONDITIONS = json.dumps({
    "ready": False, "failing": ["discord"], "uptimeMs": 8000,
    "conditions": [
        {"type": "GatewayStartupComplete", "status": "True", "requirement": "required",
         "reason": "GatewayStartupComplete", "message": "Gateway startup dependencies are complete."},
        {"type": "GatewayAcceptingWork", "status": "True", "requirement": "required",
         "reason": "GatewayAcceptingWork", "message": "Gateway is accepting new work."},
        {"type": "ChannelRuntimeReady", "status": "False", "requirement": "required",
         "reason": "ChannelRuntimeUnavailable", "message": "Selected channels are not ready: discord."},
        {"type": "EventLoopHealthy", "status": "Unknown", "requirement": "advisory",
         "reason": "EventLoopStatusUnavailable", "message": "Event-loop health is not available yet."},
        {"type": "WorkspaceWritable", "status": "False", "requirement": "required",
         "reason": "WorkspaceReadOnly", "message": "\x1b[31mworkspace is read-only\x1b[0m"},
    ],
    "failures": ["ChannelRuntimeUnavailable", "WorkspaceReadOnly", "StorageUnavailable"],
    "advisories": ["EventLoopStatusUnavailable"],
    "someFutureKey": {"ignored": True},
}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def gated(self):
        auth = self.headers.get("Authorization")
        kind = "none" if auth is None else "right" if TOKEN and auth == "Bearer " + TOKEN else "wrong"
        with SEEN_LOCK:
            SEEN.setdefault(self.path, {"right": 0, "wrong": 0, "none": 0})[kind] += 1
        self.send(503, CHANNELS if kind == "right" else b'{"ready":false}')

    def do_GET(self):
        p = self.path
        with SEEN_LOCK:
            COUNTS[p] = COUNTS.get(p, 0) + 1
        if p == "/openclaw/channels":
            self.send(503, CHANNELS)
        elif p == "/openclaw/draining":
            self.send(503, b'{"ready":false,"failing":["gateway-draining"],"uptimeMs":9000}')
        elif p == "/openclaw/bare":
            self.send(503, b'{"ready":false}')
        elif p == "/openclaw/startupz":
            self.send(200, b'{"ok":true,"status":"starting","pendingReason":"startup-sidecars"}')
        elif p == "/openclaw/conditions":
            self.send(503, CONDITIONS)
        elif p == "/openclaw/huge":
            self.send(503, b'{"ready":false,"failing":["' + b"x" * (2 << 20) + b'"]}')
        elif p.startswith("/openclaw/gated"):
            self.gated()
        elif p.split("?")[0] == "/flippable":
            self.send(503, b'{"ok":false}') if FLIPPED.is_set() else self.send(200, b'{"ok":true}')
        elif p == "/flip":
            FLIPPED.clear() if FLIPPED.is_set() else FLIPPED.set()
            self.send(200, b'{"flipped":%s}' % (b"true" if FLIPPED.is_set() else b"false"))
        elif p == "/counts":
            with SEEN_LOCK:
                self.send(200, json.dumps(COUNTS).encode())
        elif p == "/requests":
            with SEEN_LOCK:
                self.send(200, json.dumps(SEEN).encode())
        elif p == "/ok":
            self.send(200, b'{"ok":true,"status":"live"}')
        elif p == "/204":
            self.send_response(204)
            self.end_headers()
        elif p == "/404":
            self.send(404, b'{"error":"not found"}')
        elif p == "/500":
            self.send(500, b'{"error":"boom"}')
        elif p == "/html":
            self.send(200, b"<!doctype html><html><body>Control UI</body></html>", "text/html; charset=utf-8")
        elif p == "/ok-false":
            self.send(200, b'{"ok":false,"status":"degraded"}')
        elif p == "/ready-false":
            self.send(200, b'{"ready":false,"failing":["startup-sidecars"]}')
        elif p == "/text":
            self.send(200, b"ok\n", "text/plain")
        elif p == "/huge":
            size = 20 << 20
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif p == "/garbage":
            self.wfile.write(b"\x00\xff\xfe garbage \x07\x1b[2J not http at all\r\n\r\n")
            self.close_connection = True
        elif p == "/hang":
            time.sleep(3600)
        elif p == "/hang-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(3600)
        elif p == "/slow":
            time.sleep(1.5)
            self.send(200, b'{"ok":true}')
        else:
            self.send(404)


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    print("ready http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
