# SPDX-License-Identifier: EUPL-1.2
"""Which pairs are worth comparing: an exact pass first, then blocking rules for the rest.

Comparing every left record with every right one is out of the question at a city's scale
(130,000 x 10,000 is 1.3 billion pairs). The exact pass pairs the records whose codici fiscali
are the same code; a right record whose pair also agrees on birth date and on a name is settled
there. Only the others go through the blocking rules, each a join on keys that a true pair
shares even when the rest of it is misspelt: both names' keys (a wrong birth date), surname
key and birth date (a wrong given name), given name key and birth date (a wrong surname), the
names swapped, and the birth part of the codice fiscale (names from another spelling).
"""

from __future__ import annotations

from typing import Final

import duckdb

RULES: Final = (
    "l.sur_k1 = r.sur_k1 AND l.giv_k1 = r.giv_k1",
    "l.sur_k1 = r.sur_k1 AND l.dob = r.dob",
    "l.giv_k1 = r.giv_k1 AND l.dob = r.dob",
    "l.sur_k1 = r.giv_k1 AND l.giv_k1 = r.sur_k1",
    "l.cf_birth = r.cf_birth",
)


def candidates(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    """Create the table `candidates` (lrn, rrn); returns how many right records the exact pass
    settled."""
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
    blocked = " UNION ".join(
        f"SELECT l.rn AS lrn, r.rn AS rrn FROM {left} l JOIN open_right r ON {rule}"
        for rule in RULES
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE candidates AS SELECT lrn, rrn FROM exact UNION {blocked}"
    )
    (settled,) = con.execute("SELECT count(DISTINCT rrn) FROM exact WHERE settles").fetchone() or (
        0,
    )
    return int(settled)
