# SPDX-License-Identifier: EUPL-1.2
"""The comparisons of two person records, each a level from strong agreement down to none.

Each comparison is an SQL expression over a pair's columns (`l.` the left record, `r.` the
right one, its names already aligned with the left's when the two were swapped) giving an
integer level; -1 means that one side lacks the field, which then says nothing either way.
The model (model.py) learns how much each level of each comparison weighs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

NULL: Final = -1


@dataclass(frozen=True)
class Comparison:
    name: str
    # level -> label, strongest first; 0 is always the disagreement.
    levels: dict[int, str]
    sql: str
    # The column holding the frequency of the value, for a term-frequency adjusted top level.
    tf: str | None = None

    @property
    def top(self) -> int:
        return max(self.levels)


def _name(field: str) -> str:
    return f"""CASE
        WHEN l.{field} IS NULL OR r.{field} IS NULL THEN -1
        WHEN l.{field} = r.{field} THEN 4
        WHEN l.{field}_k = r.{field}_k OR (l.bag = r.bag AND l.bag IS NOT NULL) THEN 3
        WHEN l.{field}_k1 = r.{field}_k1
            OR list_has_all(string_split(l.{field}_k, ' '), string_split(r.{field}_k, ' '))
            OR list_has_all(string_split(r.{field}_k, ' '), string_split(l.{field}_k, ' ')) THEN 2
        WHEN jaro_winkler_similarity(l.{field}, r.{field}) >= 0.88 THEN 1
        ELSE 0 END"""


_NAME_LEVELS: Final = {
    4: "identical",
    3: "same key (romanization, word order, words moved between fields)",
    2: "a word dropped or added",
    1: "similar spelling (Jaro-Winkler >= 0.88)",
    0: "different",
}

COMPARISONS: Final = (
    Comparison(
        "codice_fiscale",
        {
            4: "same code (omocodia folded back)",
            3: "same birth date, sex and place; name letters differ",
            2: "same name letters; birth date, sex or place differ",
            0: "different",
        },
        """CASE
        WHEN l.cf IS NOT NULL AND r.cf IS NOT NULL THEN CASE
            WHEN l.cf = r.cf THEN 4
            WHEN l.cf_birth = r.cf_birth THEN 3
            WHEN substr(l.cf, 1, 6) = substr(r.cf, 1, 6) THEN 2
            ELSE 0 END
        WHEN l.cf_provisional IS NOT NULL AND l.cf_provisional = r.cf_provisional THEN 4
        ELSE -1 END""",
    ),
    Comparison("cognome", _NAME_LEVELS, _name("sur"), tf="sur_tf"),
    Comparison("nome", _NAME_LEVELS, _name("giv"), tf="giv_tf"),
    Comparison(
        "data_nascita",
        {
            5: "identical",
            4: "same year, one day unknown (01-01)",
            3: "day and month swapped",
            2: "one year apart, same day and month",
            1: "two of day, month and year agree",
            0: "different",
        },
        """CASE
        WHEN l.dob IS NULL OR r.dob IS NULL THEN -1
        WHEN l.dob = r.dob THEN 5
        WHEN year(l.dob) = year(r.dob)
            AND (strftime(l.dob, '%m-%d') = '01-01' OR strftime(r.dob, '%m-%d') = '01-01') THEN 4
        WHEN year(l.dob) = year(r.dob) AND month(l.dob) = day(r.dob)
            AND day(l.dob) = month(r.dob) THEN 3
        WHEN abs(year(l.dob) - year(r.dob)) = 1 AND month(l.dob) = month(r.dob)
            AND day(l.dob) = day(r.dob) THEN 2
        WHEN (year(l.dob) = year(r.dob))::INT + (month(l.dob) = month(r.dob))::INT
            + (day(l.dob) = day(r.dob))::INT >= 2 THEN 1
        ELSE 0 END""",
    ),
    Comparison(
        "sesso",
        {1: "same", 0: "different"},
        "CASE WHEN l.sex IS NULL OR r.sex IS NULL THEN -1 WHEN l.sex = r.sex THEN 1 ELSE 0 END",
    ),
    Comparison(
        "luogo_nascita",
        {1: "same", 0: "different"},
        "CASE WHEN l.place IS NULL OR r.place IS NULL THEN -1 "
        "WHEN l.place = r.place THEN 1 ELSE 0 END",
    ),
    Comparison(
        "cittadinanza",
        {1: "same", 0: "different"},
        "CASE WHEN l.citizenship IS NULL OR r.citizenship IS NULL THEN -1 "
        "WHEN l.citizenship = r.citizenship THEN 1 ELSE 0 END",
    ),
    Comparison(
        "indirizzo",
        {
            4: "same building",
            3: "same street",
            2: "similar spelling (Jaro-Winkler >= 0.92)",
            1: "somewhat similar (Jaro-Winkler >= 0.8)",
            0: "different",
        },
        # Similar spellings catch a typo or a word split in two, which the address key keeps.
        """CASE
        WHEN l.address IS NULL OR r.address IS NULL THEN -1
        WHEN l.address = r.address THEN 4
        WHEN l.street = r.street THEN 3
        WHEN jaro_winkler_similarity(l.address, r.address) >= 0.92 THEN 2
        WHEN jaro_winkler_similarity(l.address, r.address) >= 0.8 THEN 1
        ELSE 0 END""",
    ),
)

# The right record's name columns swapped with each other when more of its names agree with
# the left's that way (a form filled in the other order, one of the names perhaps misspelt).
_SWAPPED: Final = (
    "(coalesce(l.sur_k1 = r0.giv_k1, false)::INT + coalesce(l.giv_k1 = r0.sur_k1, false)::INT"
    " > coalesce(l.sur_k1 = r0.sur_k1, false)::INT + coalesce(l.giv_k1 = r0.giv_k1, false)::INT)"
)
_NAME_COLUMNS: Final = ("", "_k", "_k1", "_tf")


def aligned_right(alias: str = "r0") -> str:
    """The select list of the right record with its name columns aligned to the left's."""
    swapped = _SWAPPED.replace("r0.", f"{alias}.")
    parts = [f"{alias}.* EXCLUDE (sur, sur_k, sur_k1, sur_tf, giv, giv_k, giv_k1, giv_tf)"]
    for suffix in _NAME_COLUMNS:
        parts.append(
            f"CASE WHEN {swapped} THEN {alias}.giv{suffix} ELSE {alias}.sur{suffix} END "
            f"AS sur{suffix}"
        )
        parts.append(
            f"CASE WHEN {swapped} THEN {alias}.sur{suffix} ELSE {alias}.giv{suffix} END "
            f"AS giv{suffix}"
        )
    return ", ".join(parts)


def levels_sql(pairs: str, left: str, right: str) -> str:
    """A query of (lrn, rrn, stage, one level column per comparison, the TF columns) for the
    pairs in table `pairs` (lrn, rrn, stage) of the prepared tables `left` and `right`."""
    levels = ", ".join(f"{c.sql} AS {c.name}" for c in COMPARISONS)
    tfs = ", ".join(f"l.{c.tf} AS {c.tf}" for c in COMPARISONS if c.tf)
    return f"""
        WITH r AS (
            SELECT p.lrn, p.stage AS pair_stage, {aligned_right()}
            FROM {pairs} p JOIN {left} l ON l.rn = p.lrn JOIN {right} r0 ON r0.rn = p.rrn
        )
        SELECT r.lrn, r.rn AS rrn, r.pair_stage AS stage, {levels}, {tfs}
        FROM r JOIN {left} l ON l.rn = r.lrn
    """
