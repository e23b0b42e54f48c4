#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Bootstrap for a fresh clone: `python3 dev.py demo` or `python3 dev.py test`.

Creates a local virtual environment in `.venv`, installs the project with its
development extras (again only when pyproject.toml changed), then runs the job.
Needs nothing but Python 3.11+ and access to the package registry.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("INTERSCAMBIO_VENV", ROOT / ".venv"))
STAMP = VENV / ".interscambio-installed"

USAGE = """usage: python3 dev.py COMMAND [ARGS...]

commands:
  demo [ARGS]    build a synthetic city and load both nodes (interscambio demo)
  test [ARGS]    run the test suite (pytest); set DATABASE_URL to test on PostgreSQL
  cli  [ARGS]    run any interscambio command, e.g. `python3 dev.py cli --help`
  setup          only create/refresh the virtual environment
"""


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    return VENV / folder / name


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"interscambio needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and venv_bin("python").exists():
        return
    if not venv_bin("python").exists():
        print(f"[dev] creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("[dev] installing interscambio and its dependencies (once)", flush=True)
    pip = [str(venv_bin("python")), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command not in {"demo", "test", "cli", "setup"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_environment()
    if command == "setup":
        return 0
    if command == "test":
        return subprocess.call([str(venv_bin("python")), "-m", "pytest", *rest], cwd=ROOT)
    args = ["demo", *rest] if command == "demo" else rest
    return subprocess.call([str(venv_bin("interscambio")), *args], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
