# SPDX-License-Identifier: EUPL-1.2
"""Which pairs are worth comparing: an exact pass first, then blocking rules for the rest.

Comparing every left record with every right one is out of the question at a city's scale
(130,000 x 10,000 is 1.3 billion pairs). The exact pass pairs the records whose codici fiscali
are the same code; a right record whose pair also agrees on birth date and on a name is settled
there. Only the others go through the blocking rules, each a join on keys that a true pair
shares even when the rest of it is misspelt: both names' keys (a wrong birth date), surname
key and birth date (a wrong given name), given name key and birth date (a wrong surname), the
names swapped, the birth part of the codice fiscale (names from another spelling), then, for
files without codes and with heavier typos, joins on the birth date, the address and a
name's key or first letter (RULES says which error each is for).

Each candidate pair keeps its stage, the exact pass or the first rule that found it: the
different people a rule pairs agree on what it joined on, so the model learns their u stage by
stage (training.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb

# What a key says about the comparisons besides its own: the code is made of the names'
# letters and of the birth date, sex and place; a given name tells the sex; a name tells where
# its bearer is likely from.
_CODE: Final = frozenset({"codice_fiscale"})
_ORIGIN: Final = frozenset({"luogo_nascita", "cittadinanza"})
_SURNAME: Final = frozenset({"cognome"}) | _CODE | _ORIGIN
_GIVEN: Final = frozenset({"nome", "sesso"}) | _CODE | _ORIGIN
_BIRTH: Final = frozenset({"data_nascita"}) | _CODE


# A join on keys: (the left record's expression, the right record's) that must be equal.
Join = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rule:
    # Joins on keys, any of which pairs two records.
    joins: tuple[Join, ...]
    # The comparisons whose levels the rule's keys decide or predict: among the different
    # people the rule pairs, these agree far more often than among random pairs, and the model
    # learns how often for each stage; the other comparisons keep the u of random pairs.
    conditions: frozenset[str]


def _same(*columns: str) -> Join:
    return tuple((c, c) for c in columns)


def _initials(*keys: tuple[str, str]) -> tuple[Join, ...]:
    """The keys and the first letter of a name in common, whichever field it is in."""
    return tuple(
        (*keys, (f"substr({a}, 1, 1)", f"substr({b}, 1, 1)"))
        for a, b in (("sur", "sur"), ("giv", "giv"), ("sur", "giv"), ("giv", "sur"))
    )


# The exact pass: the same code, hence (nearly) the same names, birth date, sex and place.
EXACT: Final = Rule((_same("cf"),), _SURNAME | _GIVEN | _BIRTH)
RULES: Final = (
    Rule((_same("sur_k1", "giv_k1"),), _SURNAME | _GIVEN),
    Rule((_same("sur_k1", "dob"),), _SURNAME | _BIRTH),
    Rule((_same("giv_k1", "dob"),), _GIVEN | _BIRTH),
    Rule(((("sur_k1", "giv_k1"), ("giv_k1", "sur_k1")),), _SURNAME | _GIVEN),
    Rule((_same("cf_birth"),), _BIRTH | {"sesso"} | _ORIGIN),
    # One name misspelt and the other in the other field.
    Rule(
        ((("sur_k1", "giv_k1"), ("dob", "dob")), (("giv_k1", "sur_k1"), ("dob", "dob"))),
        _SURNAME | _GIVEN | _BIRTH,
    ),
    # Both names misspelt (or missing): the birth date and where the person lives.
    Rule((_same("dob", "street"),), _BIRTH | {"indirizzo"}),
    Rule(_initials(("dob", "dob")), _BIRTH),
    # A wrong birth date and a misspelt name.
    Rule(_initials(("address", "address")), frozenset({"indirizzo"})),
    # A wrong or missing birth date, a misspelt name and a misspelt street.
    Rule((_same("sur_k1", "numbers"),), _SURNAME | {"indirizzo"}),
    Rule((_same("giv_k1", "numbers"),), _GIVEN | {"indirizzo"}),
    Rule((_same("dob", "numbers"),), _BIRTH | {"indirizzo"}),
)
# A key value that more left records than this share does not single anyone out: the
# commonest names of a million-record file would pair each right record with hundreds of
# namesakes. A true pair behind such a key is left to the other rules, on keys that do tell
# the namesakes apart (the birth date, the code, the address). Only the left side is counted,
# so that a right record gets the same candidates whatever the other right records are (a job
# cut into shards of the right file finds the pairs of the whole job).
MAX_BLOCK_LEFT: Final = 10
# The stage of a candidate pair: 0 for the exact pass, then 1 + the index of the first rule
# that pairs it. The pairs of each stage were chosen by agreeing on different fields, so the
# different people among them look alike in different ways (model.py learns them stage by
# stage).
EXACT_STAGE: Final = 0
STAGE_RULES: Final = (EXACT, *RULES)
STAGES: Final = tuple(range(len(STAGE_RULES)))


def candidates(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    """Create the table `candidates` (lrn, rrn, stage); returns how many right records the
    exact pass settled."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE exact AS
        SELECT l.rn AS lrn, r.rn AS rrn,
            (l.dob = r.dob AND (l.sur_k1 = r.sur_k1 OR l.giv_k1 = r.giv_k1)) AS settles
        FROM {left} l JOIN {right} r ON l.cf = r.cf
        UNION ALL
        SELECT l.rn, r.rn, (l.dob = r.dob AND (l.sur_k1 = r.sur_k1 OR l.giv_k1 = r.giv_k1))
        FROM {left} l JOIN {right} r ON l.cf_provisional = r.cf_provisional
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE open_right AS
        SELECT * FROM {right}
        WHERE rn NOT IN (SELECT rrn FROM exact WHERE settles)
        """
    )
    blocked = " UNION ALL ".join(
        _blocked(join, stage, left, "open_right")
        for stage, rule in enumerate(RULES, start=1)
        for join in rule.joins
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT lrn, rrn, min(stage) AS stage FROM (
            SELECT lrn, rrn, {EXACT_STAGE} AS stage FROM exact UNION ALL {blocked}
        ) GROUP BY lrn, rrn
        """
    )
    (settled,) = con.execute("SELECT count(DISTINCT rrn) FROM exact WHERE settles").fetchone() or (
        0,
    )
    return int(settled)


def _blocked(join: Join, stage: int, left: str, right: str) -> str:
    """The pairs of one join, without the key values too common to block on (MAX_BLOCK_LEFT)."""
    names = ", ".join(f"k{i}" for i in range(len(join)))

    def keyed(table: str, side: int) -> str:
        keys = ", ".join(f"{pair[side]} AS k{i}" for i, pair in enumerate(join))
        return f"SELECT rn, {keys} FROM {table}"

    return f"""(
        WITH lk AS ({keyed(left, 0)}),
        selective AS (
            SELECT {names} FROM lk GROUP BY ALL HAVING count(*) <= {MAX_BLOCK_LEFT}
        )
        SELECT lk.rn AS lrn, r.rn AS rrn, {stage} AS stage
        FROM lk JOIN selective USING ({names}) JOIN ({keyed(right, 1)}) r USING ({names})
    )"""
