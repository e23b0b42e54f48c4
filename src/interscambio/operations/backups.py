# SPDX-License-Identifier: EUPL-1.2
"""A node's backup and its restore into an empty node (docs/operations.md).

A backup is a folder: the database (SQLite's online backup, or `pg_dump --format=custom`),
the data folder as a tar (keys, flows, receipts; without the SQLite file itself) and a
manifest with the node's identity and each file's SHA-256. It is taken holding the exchange's
schedule lock, so no round exports or sends while the two are copied and the database never
names a flow file the tar lacks. The keys are in it: keep backups as secret as the keys.

A restore refuses a backup of another node, a file whose checksum differs, and a target that
is not empty; it puts back the database and the files, so the restored node goes on where the
backup was taken: its sequences, what it sent and what it acknowledged, its access log.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.utils import timezone

from interscambio import __version__
from interscambio.exchange.importing import file_sha256
from interscambio.exchange.schedule import exclusive

MANIFEST: Final = "manifest.json"
FILES: Final = "data.tar.gz"
SQLITE: Final = "database.sqlite3"
POSTGRES: Final = "database.pgdump"


class BackupError(Exception):
    """A backup cannot be taken or restored as asked; the message says why."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    manifest: dict[str, Any]


def _database_file() -> Path | None:
    """The SQLite file, or None on PostgreSQL."""
    if connection.vendor != "sqlite":
        return None
    return Path(settings.DATABASES["default"]["NAME"]).resolve()


def _postgres_environment() -> dict[str, str]:
    """libpq's variables for PostgreSQL's tools: the node's database, as Django connects to it
    (host, port, user, name and the URL's options, such as sslmode, sslrootcert or
    target_session_attrs); the password never on a command line."""
    db = settings.DATABASES["default"]
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db["NAME"],
    }
    options = db.get("OPTIONS", {})
    for name in ("sslmode", "sslrootcert", "sslcert", "sslkey", "target_session_attrs"):
        if options.get(name):
            values[f"PG{name.replace('_', '').upper()}"] = str(options[name])
    return {**os.environ, **{k: v for k, v in values.items() if v}}


def _run(command: list[str], what: str) -> None:
    try:
        # Our own command line: PostgreSQL's tools and the backup's paths.
        result = subprocess.run(  # noqa: S603
            command, env=_postgres_environment(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools "
            "(Debian: postgresql-client) of the server's version"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def _dump_database(folder: Path) -> Path:
    database = _database_file()
    if database is None:
        target = folder / POSTGRES
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], "pg_dump")
        return target
    target = folder / SQLITE
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # consistent while the node goes on working
    finally:
        copy.close()
    return target


def _skipped(database: Path | None) -> set[Path]:
    if database is None:
        return set()
    return {Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}


def _archive_files(folder: Path) -> Path:
    target = folder / FILES
    data = settings.DATA_DIR.resolve()
    skipped = _skipped(_database_file()) | {(data / "schedule.lock")}
    inside = folder.resolve()
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(data.rglob("*")):
            where = path.resolve()
            if where in skipped or inside in where.parents:
                continue
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(data)), recursive=False)
    return target


def create(folder: Path) -> Summary:
    """Back this node up into `folder`, which must not exist or be empty."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder")
    if connection.in_atomic_block:
        # SQLite's online backup would wait for this very transaction to end.
        raise BackupError("a backup is taken outside any transaction")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    with exclusive():
        database = _dump_database(folder)
        files = _archive_files(folder)
    manifest = {
        "node_role": settings.NODE_ROLE,
        "node_id": settings.NODE_ID,
        "node_name": settings.NODE_NAME,
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "interscambio": __version__,
        "database": connection.vendor,
        "files": {p.name: file_sha256(p) for p in (database, files)},
    }
    for path in (database, files):
        path.chmod(0o600)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Summary(folder, manifest)


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder}: no {MANIFEST}; is this a backup folder?") from None
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST}: not JSON ({error})") from None
    mine = (settings.NODE_ROLE, settings.NODE_ID)
    theirs = (manifest.get("node_role"), manifest.get("node_id"))
    if theirs != mine:
        raise BackupError(
            f"the backup is of the {theirs[0]} node {theirs[1]}, this is the {mine[0]} node "
            f"{mine[1]}: set INTERSCAMBIO_ROLE and INTERSCAMBIO_NODE_ID as the backup's"
        )
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{path}: missing from the backup")
        if file_sha256(path) != digest:
            raise BackupError(f"{path}: its SHA-256 is not the manifest's; the copy is damaged")
    return dict(manifest)


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _data_folder_is_empty(keep: set[Path]) -> bool:
    data = settings.DATA_DIR
    return not data.exists() or all(p.resolve() in keep for p in data.rglob("*") if p.is_file())


def restore(folder: Path) -> Summary:
    """Put a backup back into this node, whose database and data folder must be empty."""
    manifest = _read_manifest(folder)
    database = _database_file()
    if manifest.get("database") != connection.vendor:
        raise BackupError(
            f"the backup holds a {manifest.get('database')} database, this node uses "
            f"{connection.vendor}: restore into a node configured like the one backed up"
        )
    if not _database_is_empty():
        raise BackupError("this node's database is not empty: restore into a new, empty one")
    # What any node makes at its first start: the database file, its secret key.
    made = _skipped(database) | {(settings.DATA_DIR / "secret_key").resolve()}
    if not _data_folder_is_empty(made):
        raise BackupError(f"{settings.DATA_DIR} is not empty: restore into an empty data folder")
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / FILES, "r:gz") as tar:
        tar.extractall(settings.DATA_DIR, filter="data")
    if database is None:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(folder / POSTGRES),
            ],
            "pg_restore",
        )
    else:
        connection.close()
        for stale in _skipped(database):
            stale.unlink(missing_ok=True)
        shutil.copyfile(folder / SQLITE, database)
    return Summary(folder, manifest)
