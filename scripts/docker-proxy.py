#!/usr/bin/env python3
"""A byte-for-byte forwarder in front of a real Docker daemon's unix socket, for tests and benchmarks.

    docker-proxy.py --target /path/docker.sock --listen unix:/tmp/p.sock|tcp:127.0.0.1:0 [--log FILE]

It prints "ready <address>" once listening. SIGUSR1 cuts every open connection (the listener stays up), so a test
can drop a client's event stream without touching the daemon. With --log it appends one line per HTTP request line
seen from clients ("METHOD PATH"), for counting the load a client puts on the daemon. Listens on loopback only.
"""
import argparse
import os
import signal
import socket
import sys
import threading

conns = set()
lock = threading.Lock()
log_lock = threading.Lock()


def pipe(src, dst, log):
    buf = b""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if log is not None:
                buf = (buf + data)[-8192:]
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    parts = line.split(b" ")
                    if len(parts) == 3 and parts[2].startswith(b"HTTP/1.") and parts[0] in (b"GET", b"POST", b"HEAD", b"DELETE", b"PUT"):
                        with log_lock:
                            log.write(parts[0].decode() + " " + parts[1].decode("latin-1") + "\n")
                            log.flush()
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(client, target, log):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(target)
    except OSError:
        client.close()
        return
    with lock:
        conns.add(client)
        conns.add(upstream)
    a = threading.Thread(target=pipe, args=(client, upstream, log), daemon=True)
    b = threading.Thread(target=pipe, args=(upstream, client, None), daemon=True)
    a.start(); b.start(); a.join(); b.join()
    with lock:
        conns.discard(client)
        conns.discard(upstream)
    client.close(); upstream.close()


def cut(*_):
    with lock:
        for s in list(conns):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--listen", required=True)
    p.add_argument("--log")
    args = p.parse_args()
    # A parent (a test runner) may have these blocked, and a child inherits the mask.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1, signal.SIGTERM, signal.SIGINT])
    log = open(args.log, "a") if args.log else None
    if args.listen.startswith("unix:"):
        path = args.listen[5:]
        if os.path.exists(path):
            os.unlink(path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        address = "unix://" + path
    elif args.listen.startswith("tcp:"):
        host, port = args.listen[4:].rsplit(":", 1)
        if host not in ("127.0.0.1", "localhost"):
            sys.exit("docker-proxy: listens on loopback only")
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", int(port)))
        address = "tcp://127.0.0.1:%d" % server.getsockname()[1]
    else:
        sys.exit("docker-proxy: --listen unix:PATH or tcp:127.0.0.1:PORT")
    server.listen(4096)
    # Python runs signal handlers on the main thread only, between blocking calls: wake up often so SIGUSR1 acts
    # at once. SIGTERM keeps its default action (the process ends).
    server.settimeout(0.1)
    signal.signal(signal.SIGUSR1, cut)
    print("ready " + address, flush=True)
    while True:
        try:
            client, _ = server.accept()
        except socket.timeout:
            continue
        client.settimeout(None)
        threading.Thread(target=handle, args=(client, args.target, log), daemon=True).start()


if __name__ == "__main__":
    main()
