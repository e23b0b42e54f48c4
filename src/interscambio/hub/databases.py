# SPDX-License-Identifier: EUPL-1.2
"""A Comune's own PostgreSQL database and role on the hub's server.

The role owns its database and nothing else, and the database refuses connections from any
other role but the server's administrators: a Comune's process, even a compromised one, cannot
open another Comune's database.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from interscambio.hub.registry import HubError

_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,39}")


def check_prefix(prefix: str) -> str:
    if not _PREFIX.fullmatch(prefix):
        raise HubError(
            f"database prefix: {prefix!r} must be a lowercase letter then up to 39 lowercase "
            "letters, digits or underscores"
        )
    return prefix


def names(prefix: str, code: str) -> tuple[str, str]:
    """The database's and the role's name for the Comune with this ISTAT code: the prefix keeps
    two hubs (or a hub and its staging copy) on one server out of each other's way."""
    return f"{prefix}_{code}", f"{prefix}_{code}"


def _admin(server: str) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(server, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise HubError(f"cannot reach the hub's PostgreSQL at {server}: {error}") from None


def create(server: str, prefix: str, code: str) -> str:
    """Create the Comune's role and database; its DATABASE_URL."""
    database, role = names(prefix, code)
    password = secrets.token_urlsafe(24)
    with _admin(server) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if exists.fetchone():
            raise HubError(f"the database {database} exists already on {server}")
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(role)
            )
        )
        admin.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database))
        )
    parts = urlsplit(server)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


def drop(server: str, prefix: str, code: str) -> None:
    database, role = names(prefix, code)
    with _admin(server) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
