"""Benchmark: export a 100,000-message session to JSON; report time and peak memory.

    .venv/bin/python bench/export_bench.py [--messages N]

Builds a throwaway SQLite database in a temporary folder (schema by the migrations), fills a
session with N messages and their integrity chain in bulk, then streams the JSON transcript
(the code path behind GET /api/sessions/<id>/transcript) into a file, measuring wall time
and the peak of Python's allocated memory (tracemalloc) during the export only. Finally it
checks the file with the same verifier as `dialogue transcript verify`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dialogue-bench-"))
    os.environ["DIALOGUE_DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DIALOGUE_SECRET_KEY", "bench")
    os.environ.pop("DIALOGUE_REDIS_URL", None)

    from dialogue import create_app, record
    from dialogue.auth import accounts
    from dialogue.extensions import db
    from dialogue.models import Message, SessionEvent
    from dialogue.protocol import iso
    from dialogue.server import upgrade_schema
    from dialogue.sessions import actions as dialogues
    from dialogue.transcripts import build as transcript_build

    app = create_app({"INSTANCE_PATH": str(folder)})
    with app.app_context():
        upgrade_schema()
        facilitator = accounts.create_user("f@bench.example", "Facilitator", "bench-password", "facilitator")
        session = dialogues.create_session(facilitator, title="Benchmark dialogue")
        people = []
        for index in range(10):
            user = accounts.create_user(f"p{index}@bench.example", f"Person {index}", "bench-password")
            people.append(dialogues.add_member(session, user, display_name=f"Person {index}", role="participant",
                                               side="ab"[index % 2]))
        started = time.perf_counter()
        start = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
        prev = record.GENESIS
        message_rows, event_rows = [], []
        for n in range(1, args.messages + 1):
            member = people[n % len(people)]
            body = f"Message {n}: a memory, a question, an answer — and some words in Հայերեն and Azərbaycanca."
            digest = hashlib.sha256(body.encode()).hexdigest()
            at = start + timedelta(seconds=n)
            message_rows.append({"id": n, "session_id": session.id, "seq": n, "author_id": member.user_id,
                                 "membership_id": member.id, "client_id": f"c{n}", "body_source": body,
                                 "body_html": f"<p>{body}</p>", "status": "visible", "published": True,
                                 "content_hash": digest, "channel": "room", "created_at": at, "updated_at": at})
            payload = {"message": n, "member": member.id, "reply_to": None, "phase": None, "status": "visible",
                       "content_hash": digest, "at": iso(at)}
            content_hash, link = record.link_hashes(prev, "message_created", payload)
            event_rows.append({"session_id": session.id, "position": n, "kind": "message_created",
                               "payload": payload, "content_hash": content_hash, "prev_hash": prev, "hash": link,
                               "created_at": at})
            prev = link
        db.session.execute(db.insert(Message), message_rows)
        db.session.execute(db.insert(SessionEvent), event_rows)
        db.session.commit()
        del message_rows, event_rows
        print(f"filled {args.messages} messages in {time.perf_counter() - started:.1f} s")

        out = folder / "transcript.json"
        tracemalloc.start()
        started = time.perf_counter()
        first_byte = None
        with open(out, "w", encoding="utf-8") as handle:
            for piece in transcript_build.stream_json(session, attribution="pseudonym", version="participants"):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                handle.write(piece)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = out.stat().st_size
        with open(out, encoding="utf-8") as handle:
            ok, summary = record.verify(json.load(handle))
        result = {"messages": args.messages, "seconds": round(elapsed, 2), "first_byte_seconds": round(first_byte, 3),
                  "peak_python_memory_mib": round(peak / 2**20, 1), "file_mib": round(size / 2**20, 1),
                  "verified": ok}
        print(json.dumps(result))
        if not ok:
            print(summary, file=sys.stderr)
            raise SystemExit(1)


if __name__ == "__main__":
    main()
