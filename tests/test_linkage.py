# SPDX-License-Identifier: EUPL-1.2
"""The linkage core: name and place keys, the input checks, the command's fixed interface,
and precision and recall on a synthetic city against its truth."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from interscambio.core.synth.cli import main as synth_main
from interscambio.linkage import COLUMNS, LinkInputError, Options, link
from interscambio.linkage.blocking import MAX_BLOCK_LEFT, STAGES
from interscambio.linkage.cli import main as link_main
from interscambio.linkage.compare import COMPARISONS
from interscambio.linkage.names import bag_key, name_key
from interscambio.linkage.places import place_key


@pytest.mark.parametrize(
    "spellings",
    [
        ("Mohamed", "Mohammed", "Muhammad", "MOHAMMAD"),
        ("Abdelkader", "Abd El Kader", "Abdel Kader", "ABD-EL-KADER"),
        ("Yusuf", "Youssef", "Yousef"),
        ("Aleksandr", "Alexander", "Oleksandr"),
        ("Tatiana", "Tatyana"),
        ("Djamel", "Jamal"),
        ("Oualid", "Walid"),
        ("Sherif", "Cherif", "Chérif"),
        ("Dmitri", "Dmitry", "Дмитрий"),
    ],
)
def test_romanizations_of_a_name_share_its_key(spellings: tuple[str, ...]) -> None:
    assert len({name_key(s) for s in spellings}) == 1, [name_key(s) for s in spellings]


@pytest.mark.parametrize(
    ("one", "other"), [("Tatiana", "Tania"), ("Mohamed", "Ahmed"), ("Yusuf", "Yasin")]
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_words_moved_between_fields_keep_the_bag() -> None:
    assert bag_key("EL AMRANI", "FATIMA ZAHRA") == bag_key("FATIMA", "ZAHRA EL AMRANI")


@pytest.mark.parametrize("text", ["MAROCCO", "Marocco", "Morocco", "MAROCCO "])
def test_country_spellings_share_the_alpha3(text: str) -> None:
    assert place_key(text) == "MAR"


def test_ivory_coast_in_three_spellings() -> None:
    assert {place_key(t) for t in ("COSTA D'AVORIO", "Côte d'Ivoire", "Ivory Coast")} == {"CIV"}


def write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


PERSON = {
    "id": "A1",
    "codice_fiscale": "",
    "cognome": "ROSSI",
    "nome": "ANNA",
    "sesso": "F",
    "data_nascita": "1990-05-04",
    "luogo_nascita": "ALBANIA",
    "cittadinanza": "ALB",
    "indirizzo": "VIA ROMA 1",
}


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        ([{"cognome": "ROSSI"}], ("cognome",), "no 'id' column"),
        ([PERSON, {**PERSON, "nome": "ELSA"}], COLUMNS, "id 'A1' is used by more than one record"),
        ([{**PERSON, "id": ""}], COLUMNS, "record 1 (line 2): id is empty"),
        (
            [PERSON, {**PERSON, "id": "A2", "data_nascita": "04/05/1990"}],
            COLUMNS,
            "record 2 (line 3) [A2], data_nascita: '04/05/1990' is not a date",
        ),
        ([{**PERSON, "data_nascita": "1990-02-30"}], COLUMNS, "data_nascita: '1990-02-30'"),
    ],
    ids=["no id column", "duplicate id", "empty id", "date format", "impossible date"],
)
def test_a_malformed_file_is_refused_naming_record_and_field(
    tmp_path: Path, rows: list[dict[str, str]], columns: tuple[str, ...], message: str
) -> None:
    bad = write(tmp_path / "bad.csv", rows, columns)
    good = write(tmp_path / "good.csv", [PERSON])
    with pytest.raises(LinkInputError, match=r"bad\.csv") as refused:
        link(bad, good)
    assert message in str(refused.value)


def test_a_file_that_is_not_utf8_or_not_csv_is_refused(tmp_path: Path) -> None:
    good = write(tmp_path / "good.csv", [PERSON])
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,cognome\n1,NGUYỄN\n".encode("utf-16"))
    with pytest.raises(LinkInputError, match="UTF-8"):
        link(latin, good)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,cognome\n1,ROSSI,ANNA,EXTRA\n", encoding="utf-8")
    with pytest.raises(LinkInputError, match="not a valid CSV"):
        link(ragged, good)


def test_the_command_exits_1_with_the_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path / "bad.csv", [{"cognome": "ROSSI"}], ("cognome",))
    out = tmp_path / "pairs.csv"
    assert link_main([str(bad), str(bad), "--out", str(out), "--quiet"]) == 1
    assert "no 'id' column" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    assert (
        synth_main(["--out", str(folder), "--residents", "3000", "--quiet", "--linkage-files"]) == 0
    )
    return folder / "linkage"


def pairs_of(path: Path) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return {(r["id_left"], r["id_right"]) for r in csv.DictReader(stream)}


def test_the_command_keeps_its_interface(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    done = subprocess.run(
        [sys.executable, "-m", "interscambio", "link", str(city / "left.csv"),
         str(city / "right.csv"), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["id_left", "id_right", "score"]
    assert rows[1:] and all(0.0 <= float(score) <= 1.0 for _, _, score in rows[1:])
    rights = [right for _, right, _ in rows[1:]]
    assert len(rights) == len(set(rights)), "a right record was linked to two left records"


def test_precision_and_recall_on_a_synthetic_city(city: Path, tmp_path: Path) -> None:
    result = link(city / "left.csv", city / "right.csv")
    out = tmp_path / "pairs.csv"
    result.write_pairs(out)
    predicted, truth = pairs_of(out), pairs_of(city / "truth.csv")
    found = len(predicted & truth)
    precision, recall = found / len(predicted), found / len(truth)
    # Measured 1.000 and 1.000 on this city: a regression of the model fails here.
    assert precision >= 0.99, precision
    assert recall >= 0.995, recall


def test_each_pair_is_explained_and_a_saved_model_gives_the_same_pairs(
    city: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model.json"
    first = link(city / "left.csv", city / "right.csv", Options(save_model=model))
    explained = next(first.explanations())
    labels = {*COMPARISONS[0].levels.values(), "missing"}
    assert explained["codice_fiscale"] in labels
    assert {"cognome", "cognome_weight", "data_nascita", "data_nascita_weight"} <= set(explained)
    again = link(city / "left.csv", city / "right.csv", Options(model=model))
    assert list(again.pairs()) == list(first.pairs())
    assert again.counts["pairs"] == first.counts["pairs"]


def test_a_saved_model_has_a_prior_and_u_for_each_stage(city: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    link(city / "left.csv", city / "right.csv", Options(save_model=model))
    stages = json.loads(model.read_text(encoding="utf-8"))["stages"]
    assert set(stages) == {str(s) for s in STAGES}
    assert all(0.0 < stage["prior"] < 1.0 for stage in stages.values())
    assert all(set(stage["u"]) == {c.name for c in COMPARISONS} for stage in stages.values())


def test_a_name_too_common_to_block_on_leaves_the_pair_to_the_birth_date(tmp_path: Path) -> None:
    # 40 x 40 namesakes: blocking on the names alone would make 1,600 pairs.
    side = 40
    assert side > MAX_BLOCK_LEFT
    rows = [
        {**PERSON, "id": f"N{i}", "data_nascita": f"{1950 + i}-05-04", "indirizzo": f"VIA {i} 1"}
        for i in range(side)
    ]
    left = write(tmp_path / "left.csv", rows)
    right = write(tmp_path / "right.csv", [{**row, "id": f"P{row['id']}"} for row in rows])
    result = link(left, right)
    assert result.counts["candidates"] < 4 * side
    assert {(a, b) for a, b, _ in result.pairs()} == {(r["id"], f"P{r['id']}") for r in rows}
