#!/usr/bin/python3
"""A stand-in for the Legacy Surveys and SDSS cutout services, on 127.0.0.1, that fails on purpose.

Serves real JPEGs (from --images, e.g. ../shared/data/images/gzdecals_ring470) for
  /viewer/cutout.jpg?ra=..&dec=..&layer=..&pixscale=..&size=..      (Legacy Surveys form)
  /dr17/SkyServerWS/ImgCutout/getjpeg?ra=..&dec=..&scale=..&width=..&height=..   (SDSS form)
choosing the file deterministically from the position (or, with --by-position, the file a map names for that
position: e.g. synthetic ring images where a published catalog predicts a ring), and answers each request with a behaviour taken from a
fault plan: per position, a list of behaviours used one per request, the last one repeating; positions not in the
plan use the default. Positions are keyed "%.4f_%.4f" % (ra, dec).

Behaviours:
  ok            the image (Content-Type image/jpeg, Content-Length)
  NNN           that HTTP status with a small HTML error page (500, 503, 404, ...)
  429[:S]       429 Too Many Requests with Retry-After: S (default 1)
  slow:S        wait S seconds, then the image
  stall:S       headers and a third of the image, wait S seconds, then the rest
  trunc         Content-Length of the whole image but only half of it, then close
  trunc_close   no Content-Length, "Connection: close", half the image, then close (looks complete to HTTP)
  html          200 with an HTML error page (text/html)
  html_as_jpeg  200 with an HTML error page labelled image/jpeg
  reset         headers and a third of the image, then a TCP reset (SO_LINGER 0)
  empty         200 with an empty body

Control (for tests):
  GET /stats                      JSON: total, by_key, ok_by_key, files, events [[t, key, behaviour, ua]]
  GET /control?default=B          set the default behaviour
  POST /plan                      body JSON {"key": ["500", "ok"], ...} replaces the plan
  GET /plan?set=JSON              the same, for clients that only GET
  GET /reset                      clears the statistics and the per-position progress through the plan

Prints "PORT <n>" on stdout once listening. Exits when its parent dies or after --max-seconds.
Only the standard library; run with /usr/bin/python3.
"""
import argparse
import glob
import json
import os
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HTML_PAGE = (b"<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1>"
             b"<p>The server encountered an internal error or misconfiguration.</p></body></html>\n")


class State:
    def __init__(self, images, plan, default, by_position=None):
        self.images = images
        self.by_position = by_position or {}
        self.plan = plan
        self.default = default
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.progress = {}
        self.by_key = {}
        self.ok_by_key = {}
        self.files = {}
        self.events = []
        self.t0 = time.monotonic()

    def next_behaviour(self, key):
        with self.lock:
            seq = self.plan.get(key)
            n = self.progress.get(key, 0)
            self.progress[key] = n + 1
            b = seq[min(n, len(seq) - 1)] if seq else self.default
            self.by_key[key] = self.by_key.get(key, 0) + 1
            return b

    def record(self, key, behaviour, ua):
        with self.lock:
            self.events.append([round(time.monotonic() - self.t0, 4), key, behaviour, ua])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections

    def log_message(self, fmt, *args):  # quiet: the test reads stdout for the port only
        pass

    def send_bytes(self, status, body, content_type, extra=None, length=True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        st = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if urlparse(self.path).path == "/plan":
            with st.lock:
                st.plan = json.loads(body or b"{}")
                st.progress = {}
            self.send_bytes(200, b'{"ok":true}', "application/json")
        else:
            self.send_bytes(404, b"no such endpoint", "text/plain")

    def do_GET(self):
        st = self.server.state
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/stats":
            with st.lock:
                out = {"total": len(st.events), "by_key": st.by_key, "ok_by_key": st.ok_by_key, "files": st.files,
                       "events": st.events}
                body = json.dumps(out).encode()
            return self.send_bytes(200, body, "application/json")
        if url.path == "/control":
            with st.lock:
                if "default" in q:
                    st.default = q["default"]
            return self.send_bytes(200, b'{"ok":true}', "application/json")
        if url.path == "/plan" and "set" in q:
            with st.lock:
                st.plan = json.loads(q["set"])
                st.progress = {}
            return self.send_bytes(200, b'{"ok":true}', "application/json")
        if url.path == "/reset":
            with st.lock:
                st.reset()
            return self.send_bytes(200, b'{"ok":true}', "application/json")
        if url.path.endswith("/cutout.jpg"):
            needed = ("ra", "dec", "layer", "pixscale", "size")
        elif url.path.endswith("/getjpeg"):
            needed = ("ra", "dec", "scale", "width", "height")
        else:
            return self.send_bytes(404, b"<html><body>Not Found</body></html>", "text/html")
        missing = [k for k in needed if k not in q]
        if missing:
            return self.send_bytes(400, ("missing parameters: " + ",".join(missing)).encode(), "text/plain")
        try:
            key = "%.4f_%.4f" % (float(q["ra"]), float(q["dec"]))
        except ValueError:
            return self.send_bytes(400, b"bad ra/dec", "text/plain")
        behaviour = st.next_behaviour(key)
        st.record(key, behaviour, self.headers.get("User-Agent", ""))
        self.serve(st, key, behaviour)

    def image_for(self, st, key):
        path = st.by_position.get(key) or st.images[zlib.crc32(key.encode()) % len(st.images)]
        with open(path, "rb") as f:
            return os.path.basename(path), f.read()

    def serve(self, st, key, behaviour):
        name, data = self.image_for(st, key)
        kind, _, arg = behaviour.partition(":")
        if kind == "ok" or kind == "slow":
            if kind == "slow":
                time.sleep(float(arg or 1))
            self.send_bytes(200, data, "image/jpeg")
            with st.lock:
                st.ok_by_key[key] = st.ok_by_key.get(key, 0) + 1
                st.files[key] = name
        elif kind == "429":
            self.send_bytes(429, b"Too many requests", "text/plain", {"Retry-After": arg or "1"})
        elif kind.isdigit():
            self.send_bytes(int(kind), HTML_PAGE, "text/html")
        elif kind == "html":
            self.send_bytes(200, HTML_PAGE, "text/html; charset=utf-8")
        elif kind == "html_as_jpeg":
            self.send_bytes(200, HTML_PAGE, "image/jpeg")
        elif kind == "empty":
            self.send_bytes(200, b"", "image/jpeg")
        elif kind == "trunc":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
        elif kind == "trunc_close":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
        elif kind == "stall":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 3])
            self.wfile.flush()
            time.sleep(float(arg or 5))
            self.wfile.write(data[len(data) // 3:])
            with st.lock:
                st.ok_by_key[key] = st.ok_by_key.get(key, 0) + 1
                st.files[key] = name
        elif kind == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 3])
            self.wfile.flush()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # with linger 0: RST instead of FIN
            self.close_connection = True
        else:
            self.send_bytes(500, ("unknown behaviour " + behaviour).encode(), "text/plain")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # resets and clients that time out are the point of this server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", required=True)
    ap.add_argument("--plan", help="JSON file: {\"default\": B, \"positions\": {key: [B, ...]}}")
    ap.add_argument("--by-position", help="JSON file: {key: image path}; those positions get that image")
    ap.add_argument("--default", default="ok")
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
    images = sorted(glob.glob(os.path.join(a.images, "*.jpg")))
    if not images:
        sys.exit("no .jpg files in " + a.images)
    plan, default = {}, a.default
    if a.plan:
        with open(a.plan) as f:
            p = json.load(f)
        plan, default = p.get("positions", {}), p.get("default", default)
    server = Server(("127.0.0.1", 0), Handler)
    by_position = {}
    if a.by_position:
        with open(a.by_position) as f:
            by_position = json.load(f)
        gone = [p for p in set(by_position.values()) if not os.path.isfile(p)]
        if gone:
            sys.exit("--by-position names %d missing files, e.g. %s" % (len(gone), gone[0]))
    server.state = State(images, plan, default, by_position)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    parent, start = os.getppid(), time.monotonic()
    while os.getppid() == parent and time.monotonic() - start < a.max_seconds:
        time.sleep(0.2)
    os._exit(0)


if __name__ == "__main__":
    main()
