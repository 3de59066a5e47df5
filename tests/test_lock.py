"""The hashed lock files: every dependency pyproject.toml names is pinned there with its
hashes, the test lock holds the runtime lock unchanged, and `make install` (so `make run`
and `make test`) installs from the lock with hash checking and nothing else."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
TEST_LOCK = ROOT / "requirements" / "test.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def read_lock(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """{name: (pinned version, its sha256 hashes)} for every entry of a lock file."""
    text = re.sub(r"\\\n", " ", path.read_text())
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})*)", line)
        assert match, f"{path.name}: not a pinned, hashed entry: {line}"
        name, version, hashes = match.groups()
        entries[canonicalize_name(name)] = (version, frozenset(re.findall(r"sha256:([0-9a-f]{64})", hashes)))
    return entries


def required_names(requirement: Requirement) -> set[str]:
    """The distribution a requirement names and those its extras bring in (psycopg[binary]
    is psycopg and psycopg-binary), read from the installed metadata."""
    names = {canonicalize_name(requirement.name)}
    for extra in requirement.extras:
        for line in metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            if needed.marker and needed.marker.evaluate({"extra": extra}) \
                    and not needed.marker.evaluate({"extra": ""}):
                names.add(canonicalize_name(needed.name))
    return names


RUNTIME = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
TEST_EXTRA = [Requirement(line) for line in PYPROJECT["project"]["optional-dependencies"]["test"]]
BUILD = [Requirement(line) for line in PYPROJECT["build-system"]["requires"]]


@pytest.mark.parametrize(("lock", "requirements"), [
    (RUNTIME_LOCK, RUNTIME + BUILD),
    (TEST_LOCK, RUNTIME + TEST_EXTRA + BUILD),
], ids=["runtime", "test"])
def test_every_declared_dependency_is_pinned_with_hashes(lock, requirements):
    entries = read_lock(lock)
    for requirement in requirements:
        for name in required_names(requirement):
            assert name in entries, f"{name} ({requirement}) is not in {lock.name}: run `make lock`"
            version, hashes = entries[name]
            assert hashes, f"{name}=={version} has no --hash=sha256: in {lock.name}"
        version = entries[canonicalize_name(requirement.name)][0]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{lock.name} pins {requirement.name}=={version}, outside {requirement}: run `make lock`"
    assert "pip" in entries, f"{lock.name} does not pin the installer"


def test_the_test_lock_holds_the_runtime_lock_unchanged():
    runtime, test = read_lock(RUNTIME_LOCK), read_lock(TEST_LOCK)
    for name, pinned in runtime.items():
        assert test.get(name) == pinned, f"{name}: {pinned[0]} at runtime but {test.get(name)} in tests"


def test_the_lock_has_no_index_of_this_machine():
    for lock in (RUNTIME_LOCK, TEST_LOCK):
        text = lock.read_text()
        assert not re.search(r"^\s*-(-index-url|-extra-index-url|-find-links|i|f)\b", text, re.M), lock.name


def dry_run(*arguments: str) -> list[str]:
    """The commands `make` would run (none are run), one per line."""
    result = subprocess.run(["make", "--no-print-directory", "--dry-run", *arguments], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
@pytest.mark.parametrize("target", ["install", "run", "test"])
def test_make_installs_from_the_lock_with_hash_checking_only(target, tmp_path):
    venv = tmp_path / "venv"
    commands = dry_run("--always-make", target, f"VENV={venv}")
    installs = [line for line in commands if re.search(r"\bpip install\b", line)]
    assert any("--require-hashes -r requirements/test.lock" in line for line in installs), commands
    for line in installs:
        assert "--require-hashes" in line or ("--no-deps" in line and "--no-build-isolation" in line), \
            f"an install that may fetch something unhashed: {line}"


@needs_make
def test_a_changed_lock_reinstalls_and_an_unchanged_one_does_not(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed-stamp").touch()
    assert not any("pip install" in line for line in dry_run("install", f"VENV={venv}"))
    for changed in ("requirements/test.lock", "pyproject.toml"):
        assert any("--require-hashes" in line for line in dry_run("-W", changed, "install", f"VENV={venv}")), \
            changed
