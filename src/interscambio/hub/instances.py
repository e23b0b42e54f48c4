# SPDX-License-Identifier: EUPL-1.2
"""The Comuni of a hub as nodes: the environment each runs in, adding one, running commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final

from interscambio.hub import databases
from interscambio.hub.registry import ISTAT_CODE, Comune, Hub, HubError, locked, open_hub

ENV_FILE: Final = "node.env"


@dataclass(frozen=True)
class Questura:
    """The Questura a new Comune exchanges with, as `hub add` sets it up."""

    node_id: str
    name: str
    transport: str  # "api" or "file"
    url: str
    since: date
    certificate: Path | None


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def read_env(path: Path) -> dict[str, str]:
    """A systemd EnvironmentFile (KEY="value" lines), as the web and scheduler units read it."""
    found: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            found[key.strip()] = _unquoted(value.strip())
    return found


def environment(hub: Hub, comune: Comune) -> dict[str, str]:
    """The hub's own environment, less any node's settings, plus the Comune's file."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and not k.startswith("INTERSCAMBIO_NODE")
    }
    inherited.pop("INTERSCAMBIO_DATA_DIR", None)
    inherited["DJANGO_SETTINGS_MODULE"] = "interscambio.project.settings"
    return {**inherited, **read_env(hub.folder_of(comune) / ENV_FILE)}


def run(
    hub: Hub, comune: Comune, args: list[str], *, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    """`interscambio ARGS` as the Comune's node."""
    return subprocess.run(  # noqa: S603 (our own program, its arguments a list)
        [sys.executable, "-m", "interscambio", *args],
        env=environment(hub, comune),
        capture_output=capture,
        text=True,
    )


def _write_env(folder: Path, comune: Comune) -> None:
    values = {
        "INTERSCAMBIO_ROLE": "comune",
        "INTERSCAMBIO_NODE_ID": comune.code,
        "INTERSCAMBIO_NODE_NAME": comune.name,
        "INTERSCAMBIO_DATA_DIR": str(folder),
        "INTERSCAMBIO_HUB_PORT": str(comune.port),
    }
    if comune.database:
        values["DATABASE_URL"] = comune.database
    path = folder / ENV_FILE
    path.touch(mode=0o600)  # the database password
    lines = [f"# interscambio hub: the node of {comune.name} ({comune.code})"]
    path.write_text("\n".join(lines + [f"{k}={_quoted(v)}" for k, v in values.items()]) + "\n")


def _setup_arguments(questura: Questura | None) -> list[str]:
    if questura is None:
        return []
    args = [
        "--questura", questura.node_id, "--questura-name", questura.name,
        "--transport", questura.transport, "--url", questura.url,
        "--since", questura.since.isoformat(),
    ]  # fmt: skip
    if questura.certificate is not None:
        args += ["--certificate", str(questura.certificate.resolve())]
    return args


def add(
    hub: Hub, code: str, name: str, *, port: int | None = None, questura: Questura | None = None
) -> Comune:
    """Create the Comune's folder, database, key and partner; then list it in the hub. Nothing
    is left behind if a step fails. One add at a time, on the list as it is now."""
    with locked(hub.folder):
        current = open_hub(hub.folder)
        hub.comuni[:] = current.comuni
        hub.postgres = hub.postgres or current.postgres
        return _add(hub, code, name, port=port, questura=questura)


def _add(hub: Hub, code: str, name: str, *, port: int | None, questura: Questura | None) -> Comune:
    if not ISTAT_CODE.fullmatch(code):
        raise HubError(f"code: {code!r} is not an ISTAT code (6 digits, e.g. 001272)")
    if not name.strip():
        raise HubError("name: the Comune's name is required")
    if any(c.code == code for c in hub.comuni):
        raise HubError(f"code: the hub hosts {code} already")
    port = port or hub.next_port()
    if any(c.port == port for c in hub.comuni):
        raise HubError(f"port: {port} is taken by another Comune of the hub")
    if questura and questura.transport == "api" and not questura.url.startswith("http"):
        raise HubError("questura url: http(s)://host:port/ is required for the api transport")
    folder = hub.folder / "comuni" / code
    if folder.exists():
        raise HubError(f"{folder} exists already: move it away or remove it first")
    folder.mkdir(parents=True, mode=0o700)
    url = ""
    try:
        url = databases.create(hub.postgres, hub.database_prefix, code) if hub.postgres else ""
        comune = Comune(
            code, name.strip(), port, url, datetime.now().astimezone().date().isoformat()
        )
        _write_env(folder, comune)
        made = subprocess.run(  # noqa: S603 (our own program, its arguments a list)
            [sys.executable, "-m", "interscambio.hub.setup", *_setup_arguments(questura)],
            env=environment(hub, comune),
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            raise HubError(f"setting up {code} failed:\n{made.stderr.strip()[-2000:]}")
    except BaseException:
        if url:
            databases.drop(hub.postgres, hub.database_prefix, code)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    hub.comuni.append(comune)
    hub.save()
    return comune


def certificate(hub: Hub, comune: Comune) -> Path:
    return hub.folder_of(comune) / "keys" / "node.crt"
