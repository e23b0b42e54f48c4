# SPDX-License-Identifier: EUPL-1.2
"""The documents a partner reads stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interscambio.cli import COMMANDS
from interscambio.core.extracts import SCHEMAS

ROOT = Path(__file__).resolve().parent.parent


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("schema", SCHEMAS.values(), ids=SCHEMAS.keys())
def test_every_extract_column_is_documented(schema: object) -> None:
    documented = set(re.findall(r"`([a-z_]+)`", read("docs/extracts.md")))
    missing = [c for c in schema.header if c not in documented]  # type: ignore[attr-defined]
    assert not missing


def test_the_quick_start_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = read("README.md")
    assert "python3 dev.py demo" in readme
    assert "python3 dev.py test" in readme
    assert "python3 dev.py test" in read(".ci/run")


def test_the_readme_names_every_command() -> None:
    readme = read("README.md")
    missing = [name for name in COMMANDS if f"interscambio {name}" not in readme]
    assert not missing


def test_the_licence_is_the_eupl_text() -> None:
    licence = read("LICENSE")
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in licence
    assert len(licence) > 12_000


def test_publiccode_has_the_required_keys() -> None:
    text = read("publiccode.yml")
    for key in (
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "developmentStatus",
        "softwareType",
        "license",
        "maintenance",
        "localisationReady",
        "availableLanguages",
        "shortDescription",
        "longDescription",
        "features",
    ):
        assert re.search(rf"^\s*{key}:", text, re.MULTILINE), key


@pytest.mark.parametrize("name", ["flow-header", "anagrafe-record", "permessi-record"])
def test_every_flow_field_is_documented(name: str) -> None:
    from interscambio.core.flows.spec import schema_document

    documented = set(re.findall(r"`([A-Za-z]+)`", read("docs/flows.md")))
    document = schema_document(name)
    fields: set[str] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            fields.update(node.get("properties", {}))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    assert sorted(fields - documented) == []
    assert (ROOT / "schemas" / f"{name}.v1.schema.json").is_file()
