#!/usr/bin/env python3
"""Set up and run HazardLedger on a fresh machine that has only Python 3.11+.

    python3 dev.py serve [--port 8000]   # the service on embedded PostgreSQL (and NATS, later)
    python3 dev.py test [pytest args]    # the whole test suite
    python3 dev.py hazard ...            # any `hazard` command in the project's environment

Creates .venv beside this file and installs the project into it (again whenever
pyproject.toml changes), then runs the command inside it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment() -> None:
    """One environment for serving and testing (the test extras are small)."""
    stamp = VENV / ".install-stamp"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"dev.py: installing the project and its test tools into {VENV}", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", ".[test]"], check=True, cwd=ROOT)
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "hazard"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment()
    if command == "test":
        # the dashboard's browser test drives Debian's Chromium (browsers cannot be downloaded)
        chromium = subprocess.call(["bash", str(ROOT / "scripts" / "ensure_chromium.sh")])
        if chromium != 0 and os.environ.get("CI") == "true":
            return chromium
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    args = ["serve", *rest] if command == "serve" else rest
    os.execv(BIN / "hazard", [str(BIN / "hazard"), *args])  # signals reach the service itself


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
