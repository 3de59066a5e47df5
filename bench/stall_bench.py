"""Benchmark: what one client does must not stall the others.

    .venv/bin/python bench/stall_bench.py [--messages N]

Starts `dialogue serve` on a fresh SQLite database (in a temporary folder, on a free port of
127.0.0.1) holding a live session with N messages, then measures:

1. Pipelined history. One socket writes 200 `history` requests at once (each asks for the
   whole session, a full page), while another member sends messages one after the other;
   the target is that no `send` acknowledgement of the other member takes more than 250 ms
   longer than it does on an idle server. Run twice: with the default limits (most of the
   200 are refused as `rate_limited`) and with the history limit lifted, so that only the
   server's pacing of one socket's events keeps the others going.
2. Password guessing. Eight clients post wrong passwords to /login as fast as they can (each
   for a different account, so that the per-account throttle does not cut them short; the
   address limit is lifted), while /healthz is timed; the target is that it answers no more
   than 100 ms slower than on an idle server (password hashing runs outside the event loop).

Exit status 1 if a target is missed. Everything stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEND_TARGET_MS = 250.0
HEALTH_TARGET_MS = 100.0
PASSWORD = "bench-password-long"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(folder: Path, messages: int) -> dict:
    """Build the database: a live session, its members with API tokens, N messages."""
    os.environ["DIALOGUE_DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DIALOGUE_SECRET_KEY"] = "bench-" + "x" * 40
    os.environ.pop("DIALOGUE_REDIS_URL", None)
    os.environ.pop("DIALOGUE_RATE_LIMITS", None)
    from dialogue import create_app
    from dialogue.auth import accounts
    from dialogue.extensions import db
    from dialogue.models import Message
    from dialogue.server import upgrade_schema
    from dialogue.sessions import actions as dialogues

    app = create_app({"INSTANCE_PATH": str(folder)})
    with app.app_context():
        upgrade_schema()
        facilitator = accounts.create_user("f@bench.example", "Facilitator", PASSWORD, "facilitator")
        session = dialogues.create_session(facilitator, title="Benchmark dialogue")
        members, tokens = [], []
        for index in range(2):
            user = accounts.create_user(f"p{index}@bench.example", f"Person {index}", PASSWORD)
            members.append(dialogues.add_member(session, user, display_name=f"Person {index}",
                                                role="participant", side="ab"[index]))
            tokens.append(accounts.create_api_token(user, "bench")[1])
        for index in range(8):
            accounts.create_user(f"guess{index}@bench.example", f"Guessed {index}", PASSWORD)
        session.state = "live"
        rows = [{"session_id": session.id, "seq": n, "author_id": members[n % 2].user_id,
                 "membership_id": members[n % 2].id, "client_id": f"c{n}", "body_source": f"Message {n}",
                 "body_html": f"<p>Message {n}</p>", "status": "visible", "channel": "room"}
                for n in range(1, messages + 1)]
        db.session.execute(db.insert(Message), rows)
        session.last_seq = messages
        db.session.commit()
        return {"session_id": session.id, "tokens": tokens}


def start(folder: Path, limits: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ)
    if limits:
        env["DIALOGUE_RATE_LIMITS"] = limits
    log = open(folder / f"server-{port}.log", "wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "dialogue"), "serve", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def send_latencies(url: str, token: str, session_id: str, count: int, during=None) -> list[float]:
    """Connect as a member, join, and time `count` sends in a row (ms); `during` starts first."""
    import socketio

    client = socketio.Client(reconnection=False)
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    assert client.call("join", {"session_id": session_id, "since_seq": 10**9}, timeout=30)["ok"]
    if during is not None:
        during()
    times = []
    for index in range(count):
        started = time.perf_counter()
        answer = client.call("send", {"session_id": session_id, "client_id": f"t{time.time_ns()}-{index}",
                                      "body": f"still here {index}"}, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        assert answer["ok"] or answer["error"]["code"] == "rate_limited", answer
        time.sleep(0.02)  # a person's pace between messages, not a synchronisation
    client.disconnect()
    return times


def pipelined_history(url: str, token: str, session_id: str) -> threading.Thread:
    """A raw WebSocket that writes 200 history requests at once, then reads every answer."""
    import websocket

    conn = websocket.create_connection(url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                                       timeout=60)
    conn.recv()
    conn.send("40" + json.dumps({"token": token}))
    conn.recv()
    for index in range(200):  # one frame after another, without waiting for any answer
        conn.send(f'42{index + 1}["history",{{"session_id":"{session_id}","since_seq":0}}]')

    def drain() -> None:
        answered = 0
        while answered < 200:
            frame = conn.recv()
            if frame == "2":
                conn.send("3")
            elif re.match(r"43\d+\[", frame):
                answered += 1
        conn.close()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return reader


def history_case(folder: Path, setup: dict, limits: str | None, label: str) -> bool:
    process, url = start(folder, limits)
    try:
        session_id, (reader_token, writer_token) = setup["session_id"], setup["tokens"]
        idle = send_latencies(url, writer_token, session_id, 10)
        holder = {}

        def burst() -> None:
            holder["reader"] = pipelined_history(url, reader_token, session_id)

        loaded = send_latencies(url, writer_token, session_id, 10, during=burst)
        holder["reader"].join(timeout=120)
        worst = max(loaded) - statistics.median(idle)
        ok = worst <= SEND_TARGET_MS
        print(f"  {'ok  ' if ok else 'FAIL'} {label}: idle send {statistics.median(idle):.1f} ms; during 200 "
              f"pipelined history requests, worst {max(loaded):.1f} ms (+{worst:.1f} ms; target +{SEND_TARGET_MS:.0f})")
        return ok
    finally:
        stop(process)


def health_times(url: str, count: int = 30) -> list[float]:
    import requests

    times = []
    for _ in range(count):
        started = time.perf_counter()
        requests.get(url + "/healthz", timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)  # spread the probes over the guessing
    return times


def guessing_case(folder: Path) -> bool:
    import requests

    process, url = start(folder, "login_address=1000000/minute;login_account=1000000/minute;"
                                 "login_failures=1000000/minute")
    try:
        idle = health_times(url)
        stop_flag = threading.Event()
        attempts = [0]

        def guess(index: int) -> None:
            session = requests.Session()
            while not stop_flag.is_set():
                page = session.get(url + "/login", timeout=30).text
                token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
                    re.search(r'name="csrf_token" value="([^"]+)"', page)
                session.post(url + "/login", data={"email": f"guess{index}@bench.example", "password": "wrong guess",
                                                   "csrf_token": token.group(1) if token else ""}, timeout=30)
                attempts[0] += 1

        threads = [threading.Thread(target=guess, args=(i,), daemon=True) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # let the guessing get going before probing
        loaded = health_times(url)
        stop_flag.set()
        for thread in threads:
            thread.join(timeout=30)
        worst = max(loaded) - statistics.median(idle)
        ok = worst <= HEALTH_TARGET_MS
        print(f"  {'ok  ' if ok else 'FAIL'} eight clients guessing passwords ({attempts[0]} attempts): /healthz idle "
              f"{statistics.median(idle):.1f} ms, worst {max(loaded):.1f} ms while guessing (+{worst:.1f} ms; "
              f"target +{HEALTH_TARGET_MS:.0f})")
        return ok
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dialogue-stall-"))
    setup = prepare(folder, args.messages)
    print(f"a live session with {args.messages} messages; history pages of the default size")
    results = [
        history_case(folder, setup, None, "default limits"),
        history_case(folder, setup, "history=1000000/minute;socket=1000000/minute", "history limit lifted"),
        guessing_case(folder),
    ]
    print("all targets met" if all(results) else "FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
