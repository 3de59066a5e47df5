"""`make run`: schema, a demo session on first start with its logins, and a serving platform."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .conftest import _free_port
from .helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.live


def test_make_run_serves_a_demo_session(tmp_path):
    port = _free_port()
    venv = Path(sys.executable).parent.parent
    env = dict(os.environ, DIALOGUE_DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
               DIALOGUE_SECRET_KEY="make-run-test")
    env.pop("DIALOGUE_REDIS_URL", None)
    logins = tmp_path / "demo-logins.txt"
    command = ["make", "--no-print-directory", "run", f"PORT={port}", f"VENV={venv}", f"DEMO_LOGINS={logins}"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        def up() -> bool:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read())
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_until(up, timeout=120, message="make run did not start serving")
        text = logins.read_text()
        url = re.search(r"Demo session: (\S+)", text).group(1)
        assert url.startswith(f"http://127.0.0.1:{port}/s/")
        email, password = re.search(r"participant +Participant 1, Armenia: (\S+) / (\S+)", text).groups()
        web = requests.Session()
        page = web.get(f"http://127.0.0.1:{port}/login", timeout=5).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        web.post(f"http://127.0.0.1:{port}/login", data={"email": email, "password": password, "csrf_token": csrf},
                 timeout=5)
        room = web.get(url, timeout=5)
        assert room.status_code == 200 and "Memory, recognition and reconciliation" in room.text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
