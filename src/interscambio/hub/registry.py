# SPDX-License-Identifier: EUPL-1.2
"""The hub's list of the Comuni it hosts: `hub.json` in the hub's folder."""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

HUB_FILE: Final = "hub.json"
ISTAT_CODE: Final = re.compile(r"\d{6}")
BASE_PORT: Final = 8100
DEFAULT_PREFIX: Final = "interscambio"  # a Comune's database and role are PREFIX_CODE


class HubError(Exception):
    """A refusal the command line prints as it is."""


@dataclass(frozen=True)
class Comune:
    code: str  # the ISTAT code, also the node id its partners know it by
    name: str
    port: int  # where its web server listens on loopback, behind the hub's proxy
    database: str  # its DATABASE_URL, or "" for SQLite in its folder
    added: str  # ISO date


@dataclass
class Hub:
    folder: Path
    postgres: str = ""  # the server new Comuni get a database on ("" for SQLite)
    database_prefix: str = DEFAULT_PREFIX  # their databases and roles are PREFIX_CODE
    comuni: list[Comune] = field(default_factory=list)

    def find(self, code: str) -> Comune:
        for comune in self.comuni:
            if comune.code == code:
                return comune
        known = ", ".join(c.code for c in self.comuni) or "none yet"
        raise HubError(f"the hub hosts no Comune {code!r} (hosted: {known})")

    def folder_of(self, comune: Comune) -> Path:
        return self.folder / "comuni" / comune.code

    def next_port(self) -> int:
        return max((c.port for c in self.comuni), default=BASE_PORT) + 1

    def save(self) -> None:
        data = {
            "version": 1,
            "postgres": self.postgres,
            "database_prefix": self.database_prefix,
            "comuni": [asdict(c) for c in self.comuni],
        }
        partial = self.folder / f"{HUB_FILE}.partial"
        partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        os.replace(partial, self.folder / HUB_FILE)  # never a half-written list


def open_hub(folder: Path, *, create: bool = False) -> Hub:
    path = folder / HUB_FILE
    if not path.exists():
        if not create:
            raise HubError(
                f"{folder} is not a hub (no {HUB_FILE}): create it with `interscambio hub add`"
            )
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)  # it holds every Comune's keys and database passwords
        hub = Hub(folder)
        hub.save()
        return hub
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        comuni = [Comune(**row) for row in data["comuni"]]
    except (ValueError, KeyError, TypeError) as error:
        raise HubError(f"{path} is damaged: {error}") from None
    return Hub(
        folder, data.get("postgres", ""), data.get("database_prefix", DEFAULT_PREFIX), comuni
    )


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """The hub's list changed by one command at a time: two `hub add` at once would both read
    the list, pick the same port and each save a list without the other's Comune."""
    with (folder / "hub.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
