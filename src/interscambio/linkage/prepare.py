# SPDX-License-Identifier: EUPL-1.2
"""From the records as read to the columns the comparisons look at, all set-based in DuckDB.

Names get their romanization-aware keys (names.py), computed once per distinct value in
Python and joined back; the codice fiscale is cut into its parts with omocodia folded back
(the letters that replace digits of a colliding code turned into digits again), so that two
codes are compared part by part; the rest is normalized in SQL.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Final

import duckdb
import numpy as np
from duckdb.sqltypes import VARCHAR

from interscambio.core.addresses import address_key
from interscambio.linkage.names import first_key, name_key, normalize
from interscambio.linkage.places import place_key

# Below this many distinct addresses, starting worker processes costs more than it saves.
PARALLEL_MIN: Final = 20_000
_DIGITS: Final = "'LMNPQRSTUV', '0123456789'"
_CODE: Final = (
    "[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
)


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    for name, function in (
        ("name_norm", normalize),
        ("name_key", name_key),
        ("name_first_key", first_key),
        ("place_key", place_key),
    ):
        con.create_function(name, function, [VARCHAR], VARCHAR, side_effects=False)


def _folded(column: str) -> str:
    """The code without its check letter, omocodia letters back to digits."""
    return (
        f"substr({column}, 1, 6) || translate(substr({column}, 7, 2), {_DIGITS}) || "
        f"substr({column}, 9, 1) || translate(substr({column}, 10, 2), {_DIGITS}) || "
        f"substr({column}, 12, 1) || translate(substr({column}, 13, 3), {_DIGITS})"
    )


def _mapping(con: duckdb.DuckDBPyConnection, name: str, values_sql: str, columns: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT v, {columns} "
        f"FROM (SELECT DISTINCT v FROM ({values_sql}) WHERE v IS NOT NULL)"
    )


def _address_keys(values: list[str], workers: int) -> list[str]:
    forks = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or len(values) < PARALLEL_MIN or not forks:
        return [address_key(v) for v in values]
    # fork, not spawn: a spawned worker would run `python -m interscambio` again. The
    # workers run only Python code, never DuckDB.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(address_key, values, chunksize=2_000))


def _address_mapping(con: duckdb.DuckDBPyConnection, values_sql: str, workers: int) -> None:
    """addresses_map (v, k), the parser's key of each address: the slowest key by far (tens
    of microseconds a value, a million values in a million-record file), so computed by
    several processes when there are many."""
    rows = con.execute(f"SELECT DISTINCT v FROM ({values_sql}) WHERE v IS NOT NULL").fetchall()
    values = [str(v) for (v,) in rows]
    keys = np.array(_address_keys(values, workers), dtype=object)
    con.register("address_keys", {"v": np.array(values, dtype=object), "k": keys})
    con.execute("CREATE OR REPLACE TEMP TABLE addresses_map AS SELECT v, k FROM address_keys")
    con.unregister("address_keys")


def shared_values(
    con: duckdb.DuckDBPyConnection, raw_tables: tuple[str, ...], workers: int = 1
) -> None:
    """The keys of every distinct name, place and address of the raw tables, computed once
    for both files; the address keys by `workers` processes."""

    def values(*columns: str) -> str:
        return " UNION ALL ".join(f"SELECT {c} AS v FROM {t}" for t in raw_tables for c in columns)

    _mapping(
        con,
        "names_map",
        values("cognome", "nome"),
        "name_norm(v) AS norm, name_key(v) AS k, name_first_key(v) AS k1",
    )
    _mapping(con, "places_map", values("luogo_nascita"), "place_key(v) AS k")
    _address_mapping(con, values("indirizzo"), workers)


def prepare(con: duckdb.DuckDBPyConnection, raw: str, table: str) -> None:
    """Create `table` from the raw table `raw`, with the value tables of shared_values()."""
    cf = "upper(replace(r.codice_fiscale, ' ', ''))"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {table} AS
        WITH base AS (
            SELECT r.rn, r.id,
                CASE WHEN regexp_full_match({cf}, '{_CODE}') THEN {_folded(cf)} END AS cf,
                CASE WHEN regexp_full_match({cf}, '[0-9]{{11}}') THEN {cf} END AS cf_provisional,
                nullif(s.norm, '') AS sur, nullif(s.k, '') AS sur_k, nullif(s.k1, '') AS sur_k1,
                nullif(g.norm, '') AS giv, nullif(g.k, '') AS giv_k, nullif(g.k1, '') AS giv_k1,
                CASE upper(r.sesso) WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' END AS sex,
                CAST(r.data_nascita AS DATE) AS dob,
                nullif(p.k, '') AS place,
                CASE WHEN regexp_full_match(upper(r.cittadinanza), '[A-Z]{{3}}')
                    THEN upper(r.cittadinanza) END AS citizenship,
                nullif(a.k, '') AS address
            FROM {raw} r
            LEFT JOIN names_map s ON s.v = r.cognome
            LEFT JOIN names_map g ON g.v = r.nome
            LEFT JOIN places_map p ON p.v = r.luogo_nascita
            LEFT JOIN addresses_map a ON a.v = r.indirizzo
        )
        SELECT *,
            nullif(array_to_string(list_sort(list_concat(
                coalesce(string_split(sur_k, ' '), []), coalesce(string_split(giv_k, ' '), [])
            )), ' '), '') AS bag,
            substr(cf, 7, 9) AS cf_birth,
            -- The numbers of the address (civic number, postcode): kept by most misspellings.
            nullif(array_to_string(regexp_extract_all(address, '[0-9]+'), ' '), '') AS numbers,
            -- address_key ends with the civic number: without it, the street.
            nullif(regexp_replace(address, ' [0-9][^ ]*$', ''), '') AS street
        FROM base
        """
    )
