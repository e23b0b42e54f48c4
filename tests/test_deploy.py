# SPDX-License-Identifier: EUPL-1.2
"""The sample deployment in deploy/ (docs/deploy.md): each file parses as its own tool parses
it, the files agree with one another, and they name real commands, settings and variables;
`check --deploy` finds nothing to warn about with the sample environment."""

from __future__ import annotations

import configparser
import ipaddress
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlencode

import crossplane
import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.db import connection
from gunicorn import util
from gunicorn.app.base import Application
from gunicorn.config import Config

from interscambio.cli import COMMANDS
from interscambio.exchange.transport.api import FLOWS_PATH

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX_CONF = DEPLOY / "nginx" / "interscambio.conf"
WEB_UNIT = DEPLOY / "systemd" / "interscambio-web.service"
SCHEDULER_UNIT = DEPLOY / "systemd" / "interscambio-scheduler.service"
ENV_EXAMPLE = DEPLOY / "interscambio.env.example"
PRIMARY_CONF = DEPLOY / "postgresql" / "primary.conf"
STANDBY_CONF = DEPLOY / "postgresql" / "standby.conf"
# Given only as NAME_FILE, never inline.
SECRETS = {
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "INTERSCAMBIO_METRICS_TOKEN",
    "INTERSCAMBIO_OIDC_CLIENT_SECRET",
}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# gunicorn


def gunicorn_config() -> Config:
    """deploy/gunicorn.conf.py, read by gunicorn's own loader (as `gunicorn -c FILE` does)."""

    class Loader(Application):
        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

        def load(self) -> None:
            raise AssertionError("the test reads the configuration only")

        def load_config(self) -> None:
            self.load_config_from_file(str(GUNICORN_CONF))

    try:
        return Loader().cfg
    finally:
        sys.modules.pop("__config__", None)  # where gunicorn's loader puts the file


def test_gunicorn_loads_the_sample_and_finds_the_wsgi_application() -> None:
    cfg = gunicorn_config()
    module, _, name = settings.WSGI_APPLICATION.rpartition(".")
    assert cfg.wsgi_app == f"{module}:{name}"
    assert callable(util.import_app(cfg.wsgi_app))  # how a gunicorn worker loads it
    assert cfg.worker_class_str == "sync"
    assert cfg.workers >= 3
    assert cfg.bind == ["127.0.0.1:8000"]
    # A partner waits this long for its receipt; the worker must not be killed before.
    assert cfg.timeout >= settings.EXCHANGE_HTTP_TIMEOUT_SECONDS
    assert cfg.accesslog is None  # paths may hold registry ids


def test_gunicorn_check_config_imports_the_application(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    environment = {"PATH": os.environ["PATH"], "INTERSCAMBIO_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [str(gunicorn), "--config", str(GUNICORN_CONF), "--check-config"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_gunicorn_clears_the_metrics_folder_and_forgets_dead_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = gunicorn_config()
    cfg.child_exit(None, SimpleNamespace(pid=4242))  # without the folder: nothing to do
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for stale in ("histogram_17.db", "gauge_livesum_17.db"):
        (tmp_path / stale).write_bytes(b"")
    cfg.on_starting(None)
    assert list(tmp_path.iterdir()) == []
    for live in ("gauge_livesum_4242.db", "gauge_livesum_99.db", "histogram_4242.db"):
        (tmp_path / live).write_bytes(b"")
    cfg.child_exit(None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "gauge_livesum_99.db",
        "histogram_4242.db",  # a dead worker's requests still count
    ]


# nginx


def walk(directives: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for directive in directives:
        found.append(directive)
        found += walk(directive.get("block", []))
    return found


def named(directives: list[dict[str, Any]], name: str) -> list[list[str]]:
    return [d["args"] for d in directives if d["directive"] == name]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The sample's directives, parsed by crossplane inside an http block, as nginx would."""
    main = tmp_path_factory.mktemp("nginx") / "nginx.conf"
    main.write_text(f"events {{}}\nhttp {{\n    include {NGINX_CONF};\n}}\n", encoding="utf-8")
    parsed = crossplane.parse(str(main), check_ctx=True, check_args=True)
    assert parsed["status"] == "ok", parsed["errors"]
    (sample,) = [c for c in parsed["config"] if Path(c["file"]) == NGINX_CONF]
    return sample["parsed"]


def servers(nginx: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each server block's directives, by the port it listens on."""
    found = {}
    for server in (d for d in nginx if d["directive"] == "server"):
        (port,) = {args[0].rpartition(":")[2] for args in named(server["block"], "listen")}
        found[port] = server["block"]
    return found


def locations(block: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {" ".join(d["args"]): d["block"] for d in block if d["directive"] == "location"}


def test_nginx_proxies_every_location_to_the_port_gunicorn_binds(
    nginx: list[dict[str, Any]],
) -> None:
    upstreams = {
        d["args"][0]: [args[0] for args in named(d["block"], "server")]
        for d in nginx
        if d["directive"] == "upstream"
    }
    https = servers(nginx)["443"]
    targets = set()
    for where, block in locations(https).items():
        (proxied,) = named(block, "proxy_pass") or [[""]]
        assert proxied[0].startswith("http://"), where
        host = proxied[0].removeprefix("http://").rstrip("/")
        targets.update(upstreams.get(host, [host]))
    assert targets == set(gunicorn_config().bind)


def test_nginx_ends_tls_sends_hsts_and_sets_the_headers_the_node_trusts(
    nginx: list[dict[str, Any]],
) -> None:
    plain, https = servers(nginx)["80"], servers(nginx)["443"]
    assert ["301", "https://$host$request_uri"] in named(plain, "return")
    assert not locations(plain)
    assert all("ssl" in args for args in named(https, "listen"))
    assert named(https, "ssl_certificate") and named(https, "ssl_certificate_key")
    assert named(https, "ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]
    (hsts,) = [
        args for args in named(https, "add_header") if args[0] == "Strict-Transport-Security"
    ]
    max_age = re.search(r"max-age=(\d+)", hsts[1])
    assert max_age and max_age[1] == env_example()["INTERSCAMBIO_HSTS_SECONDS"]
    assert hsts[-1] == "always"  # nginx's own error pages too
    headers = {args[0]: args[1] for args in named(https, "proxy_set_header")}
    assert headers["Host"] == "$host"
    assert headers["X-Forwarded-Proto"] == "$scheme"  # INTERSCAMBIO_BEHIND_PROXY
    assert headers["X-Request-ID"] == "$request_id"
    # No block overrides them (nginx would then forget the server's proxy_set_header).
    assert not any(named(block, "proxy_set_header") for block in locations(https).values())


def size(text: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    assert match, text
    number, unit = match.groups()
    return int(number) * 1024 ** " kmg".index(unit.lower() or " ")


def test_nginx_keeps_metrics_internal_takes_whole_flows_and_logs_no_paths(
    nginx: list[dict[str, Any]],
) -> None:
    https = servers(nginx)["443"]
    where = locations(https)
    for probe in ("= /metrics", "= /readyz"):
        rules = [
            (d["directive"], d["args"]) for d in where[probe] if d["directive"] in {"allow", "deny"}
        ]
        assert rules[-1] == ("deny", ["all"])
        for _, (address,) in rules[:-1]:
            network = ipaddress.ip_network(address)
            assert network.is_loopback or network.is_private, address
    flows = where[f"= /{FLOWS_PATH}"]
    (body,) = named(flows, "client_max_body_size")
    assert size(body[0]) >= settings.EXCHANGE_MAX_FLOW_BYTES
    (read_timeout,) = named(flows, "proxy_read_timeout")
    assert int(read_timeout[0].removesuffix("s")) >= gunicorn_config().timeout
    (log_format,) = named(nginx, "log_format")
    (access_log,) = named(https, "access_log")
    assert access_log[1] == log_format[0]
    fields = set(re.findall(r"\$\w+", " ".join(log_format[1:])))
    assert not fields & {"$request", "$request_uri", "$uri", "$args", "$query_string"}
    assert "$request_id" in fields


# systemd


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file's settings by section, every value of a repeated key kept (as systemd does)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(read(path))
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in read(path).splitlines():
        line = line.strip()
        assert not line.endswith("\\"), "no continued lines"
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def commands(service: dict[str, list[str]]) -> list[list[str]]:
    lines = [v for key, values in service.items() if key.startswith("Exec") for v in values]
    return [shlex.split(line.lstrip("-@:+!")) for line in lines]


def check_interscambio_command(argv: list[str]) -> None:
    """argv names a real `interscambio` subcommand, and its options parse as that command's."""
    assert argv[0] in COMMANDS, argv
    name, rest = (argv[1], argv[2:]) if argv[0] == "manage" else (argv[0], argv[1:])
    command = load_command_class(get_commands()[name], name)
    command.create_parser("interscambio", name).parse_args(rest)  # CommandError if not


@pytest.mark.parametrize("path", [WEB_UNIT, SCHEDULER_UNIT], ids=lambda p: p.name)
def test_units_run_real_interscambio_commands_as_the_node_account(path: Path) -> None:
    service = unit(path)["Service"]
    found = commands(service)
    assert found
    for argv in found:
        if Path(argv[0]).name == "interscambio":
            check_interscambio_command(argv[1:])
        elif Path(argv[0]).name == "gunicorn":
            assert argv[1:3] == ["--config", "/etc/interscambio/gunicorn.conf.py"]
        else:
            assert argv[0] == "/bin/kill", argv
    assert service["User"] == ["interscambio"]
    assert service["EnvironmentFile"] == [f"/etc/interscambio/{ENV_EXAMPLE.stem}"]
    assert env_example()["INTERSCAMBIO_DATA_DIR"] in service["ReadWritePaths"][0].split()
    assert unit(path)["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_web_unit_checks_the_settings_and_runs_gunicorn_from_the_same_install() -> None:
    service = unit(WEB_UNIT)["Service"]
    (check,) = [shlex.split(v) for v in service["ExecStartPre"]]
    assert check[1:4] == ["manage", "check", "--deploy"]
    (start,) = [shlex.split(v) for v in service["ExecStart"]]
    assert Path(start[0]).parent == Path(check[0]).parent
    # An empty folder at every start, as prometheus_client's multiprocess mode needs.
    (runtime,) = service["RuntimeDirectory"]
    assert service["Environment"] == [f"PROMETHEUS_MULTIPROC_DIR=/run/{runtime}"]
    assert service["Type"] == ["notify"]  # gunicorn tells systemd when it listens


def test_the_scheduler_unit_runs_one_round_per_start_again_and_again() -> None:
    service = unit(SCHEDULER_UNIT)["Service"]
    (start,) = [shlex.split(v) for v in service["ExecStart"]]
    assert start[1:] == ["schedule", "run"]
    assert service["Restart"] == ["always"]
    assert service["RestartSec"]


# The environment


def env_example(commented: bool = False) -> dict[str, str]:
    """The variables the example sets (and, with `commented`, those it shows commented out)."""
    found = {}
    for line in read(ENV_EXAMPLE).splitlines():
        match = re.fullmatch(r"(#\s*)?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match and (commented or not match[1]):
            (value,) = shlex.split(match[3])
            found[match[2]] = value
    return found


def test_every_variable_of_the_example_is_read_by_the_settings_and_documented() -> None:
    source = read(ROOT / "src" / "interscambio" / "project" / "settings.py")
    documented = read(ROOT / "docs" / "configuration.md")
    families = re.findall(r"`([A-Z_]+_)\*`", documented)  # `INTERSCAMBIO_OIDC_*`
    variables = env_example(commented=True)
    assert "INTERSCAMBIO_ROLE" in variables and "INTERSCAMBIO_OIDC_ISSUER" in variables
    for name, value in variables.items():
        base = name.removesuffix("_FILE")
        assert re.search(rf'\benv(bool)?\(\s*"{base}"', source), f"settings.py never reads {base}"
        assert f"`{base}`" in documented or base.startswith(tuple(families)), name
        if name != base:
            assert "`NAME_FILE`" in documented
            assert value.startswith("/etc/interscambio/secrets/"), name
        assert base not in SECRETS or name != base, f"{name}: a secret goes in a file"


def test_the_example_covers_what_a_production_node_needs() -> None:
    variables = env_example()
    for name in (
        "INTERSCAMBIO_ROLE",
        "INTERSCAMBIO_NODE_ID",
        "INTERSCAMBIO_DATA_DIR",
        "DATABASE_URL_FILE",
        "DJANGO_SECRET_KEY_FILE",
        "DJANGO_ALLOWED_HOSTS",
        "INTERSCAMBIO_BEHIND_PROXY",
        "INTERSCAMBIO_HSTS_SECONDS",
        "INTERSCAMBIO_METRICS_TOKEN_FILE",
    ):
        assert name in variables, name
    assert variables["DJANGO_DEBUG"] == "false"
    assert Path(variables["INTERSCAMBIO_DATA_DIR"]).is_absolute()
    # The probes and the local scraper call gunicorn as 127.0.0.1:8000.
    assert "127.0.0.1" in variables["DJANGO_ALLOWED_HOSTS"].split(",")


def database_url(tmp_path: Path) -> str:
    """The test's own database as a URL, for a subprocess (a file next to it on SQLite)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'interscambio.sqlite3'}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    options = f"?{urlencode(db['OPTIONS'])}" if db.get("OPTIONS") else ""
    host = quote(db["HOST"] or "", safe="")
    return f"postgres://{quote(db['USER'])}{password}@{host}{port}/{db['NAME']}{options}"


def test_check_deploy_finds_nothing_with_the_example_environment(tmp_path: Path, db: None) -> None:
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    environment.update(env_example())
    environment["INTERSCAMBIO_DATA_DIR"] = str(tmp_path / "data")
    values = {
        "DATABASE_URL": database_url(tmp_path),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    for name in [n for n in environment if n.endswith("_FILE")]:
        base = name.removesuffix("_FILE")
        secret = tmp_path / "secrets" / base.lower()
        secret.parent.mkdir(exist_ok=True)
        secret.write_text(values.get(base, f"synthetic-{base.lower()}-value") + "\n")
        environment[name] = str(secret)
    # The web unit's own pre-start check, run by this Python, also on the test's database.
    (check,) = [shlex.split(v) for v in unit(WEB_UNIT)["Service"]["ExecStartPre"]]
    done = subprocess.run(
        [sys.executable, "-m", "interscambio", *check[1:], "--database", "default"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


# PostgreSQL


def pg_settings(path: Path) -> dict[str, str]:
    found = {}
    for line in read(path).splitlines():
        match = re.fullmatch(r"([a-z_]+)\s*=\s*('[^']*'|[^\s#]+)\s*(#.*)?", line.strip())
        if match:
            found[match[1]] = match[2].strip("'")
        else:
            assert not line.strip() or line.lstrip().startswith("#"), line
    return found


def test_the_standby_is_the_one_the_primary_waits_for_and_has_what_it_needs(db: None) -> None:
    primary, standby = pg_settings(PRIMARY_CONF), pg_settings(STANDBY_CONF)
    conninfo = dict(part.split("=", 1) for part in standby["primary_conninfo"].split())
    assert conninfo["application_name"] == primary["synchronous_standby_names"]
    assert standby["primary_slot_name"] == primary["synchronous_standby_names"]
    assert f"-S {standby['primary_slot_name']}" in read(STANDBY_CONF)  # pg_basebackup's slot
    assert primary["wal_level"] == "replica" and standby["hot_standby"] == "on"
    for name in ("max_connections", "max_wal_senders", "max_replication_slots"):
        assert int(standby[name]) >= int(primary[name]), name
    if connection.vendor == "postgresql":  # every name is one this PostgreSQL knows
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_settings")
            known = {name for (name,) in cursor.fetchall()}
        assert not (set(primary) | set(standby)) - known
