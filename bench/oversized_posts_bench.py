"""Benchmark: 2,000 oversized long-polling POSTs leave no connection open and /healthz fast.

    .venv/bin/python bench/oversized_posts_bench.py [--posts N]

Starts `dialogue serve` on a fresh SQLite database in a temporary folder, on a free port of
127.0.0.1, and waits for /healthz. Opens an Engine.IO session by a polling handshake, then
sends N POSTs to its polling URL, each on a TCP connection of its own, announcing a body of
2,000,000 bytes (`Content-Length: 2000000`) and sending none: each must be answered 413 with
`Connection: close` and closed by the server without waiting for the body. Then it counts
the server process's own TCP connections on its port (its socket descriptors matched
against /proc/net/tcp and tcp6): nothing but the listener may stay, in ESTABLISHED or
CLOSE-WAIT, once a short poll has let the last ones go; compares its open descriptors with
before; and times 20 /healthz requests (best and worst). Exits 1 on any miss: a
connection left open, descriptors not freed, /healthz at 100 ms or more, or a server
that does not stop by itself within 10 seconds of SIGTERM.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTHZ_LIMIT_MS = 100.0
TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
              "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN",
              "0B": "CLOSING"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds have passed; return the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def get(port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_server(folder: Path, port: int) -> subprocess.Popen:
    executable = Path(sys.executable).parent / "dialogue"
    command = [str(executable) if executable.exists() else (shutil.which("dialogue") or "dialogue"),
               "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = dict(os.environ, DIALOGUE_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
               DIALOGUE_SECRET_KEY="bench", PYTHONUNBUFFERED="1")
    env.pop("DIALOGUE_REDIS_URL", None)
    with open(folder / "server.log", "wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))


def server_ready(process: subprocess.Popen, port: int, log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError("the server exited:\n" + log.read_text())
    try:
        return get(port, "/healthz", timeout=1)[0] == 200
    except OSError:
        return False


def oversized_post(port: int, sid: str) -> tuple[bytes, bool]:
    """One refused POST on its own connection: the answer's head and whether the server closed."""
    head = (f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 2000000\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
        head_part, _, rest = answer.partition(b"\r\n\r\n")
        lengths = [line.split(b":", 1)[1] for line in head_part.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")]
        length = int(lengths[0]) if lengths else 0
        while len(rest) < length:
            chunk = conn.recv(4096)
            if not chunk:
                break
            rest += chunk
        try:
            closed = conn.recv(1) == b""
        except TimeoutError:
            closed = False
        return head_part, closed


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def server_connections(pid: int, port: int) -> dict[str, int]:
    """The server process's TCP sockets on `port`, counted by state."""
    inodes = socket_inodes(pid)
    counts: dict[str, int] = {}
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[9] in inodes:
                state = TCP_STATES.get(fields[3], fields[3])
                counts[state] = counts.get(state, 0) + 1
    return counts


def open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dialogue-bench-"))
    port = free_port()
    process = start_server(folder, port)
    misses: list[str] = []
    try:
        if not wait_until(lambda: server_ready(process, port, folder / "server.log"), timeout=60):
            print("the server did not answer /healthz within 60 s")
            return 1
        status, body = get(port, "/socket.io/?EIO=4&transport=polling")
        sid = json.loads(body[1:])["sid"]
        before = open_descriptors(process.pid)

        started = time.perf_counter()
        wrong, kept_open = 0, 0
        for _ in range(args.posts):
            head, closed = oversized_post(port, sid)
            if not head.startswith(b"HTTP/1.1 413 ") or b"Connection: close" not in head:
                wrong += 1
            kept_open += not closed
        elapsed = time.perf_counter() - started
        print(f"{args.posts} oversized POSTs in {elapsed:.2f} s ({elapsed / args.posts * 1000:.2f} ms each): "
              f"{args.posts - wrong} answered 413 + Connection: close, {args.posts - kept_open} closed by the server")
        if wrong:
            misses.append(f"{wrong} answers were not 413 with Connection: close")
        if kept_open:
            misses.append(f"{kept_open} connections were not closed by the server")

        def only_the_listener() -> bool:
            states = server_connections(process.pid, port)
            return states.get("ESTABLISHED", 0) == 0 and states.get("CLOSE_WAIT", 0) == 0

        settled = wait_until(only_the_listener, timeout=10)
        states = server_connections(process.pid, port)
        print(f"server's TCP sockets on port {port} afterwards: "
              + ", ".join(f"{state} {n}" for state, n in sorted(states.items())))
        if not settled:
            misses.append("connections left open: "
                          f"ESTABLISHED {states.get('ESTABLISHED', 0)}, CLOSE_WAIT {states.get('CLOSE_WAIT', 0)}")
        freed = wait_until(lambda: open_descriptors(process.pid) <= before + 2, timeout=10)
        after = open_descriptors(process.pid)
        print(f"server's open descriptors: {before} before, {after} after")
        if not freed:
            misses.append(f"descriptors not freed: {before} before, {after} after")

        timings = []
        for _ in range(20):
            started = time.perf_counter()
            status, _body = get(port, "/healthz")
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                misses.append(f"/healthz answered {status}")
                break
        print(f"/healthz over 20 requests: best {min(timings):.1f} ms, worst {max(timings):.1f} ms "
              f"(limit {HEALTHZ_LIMIT_MS:.0f} ms)")
        if max(timings) >= HEALTHZ_LIMIT_MS:
            misses.append(f"/healthz took {max(timings):.1f} ms")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            misses.append("the server did not stop within 10 s of SIGTERM")
        print(f"server stopped (exit status {process.returncode})")
        shutil.rmtree(folder, ignore_errors=True)
    for miss in misses:
        print("MISS:", miss)
    print("ok" if not misses else "FAILED")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
