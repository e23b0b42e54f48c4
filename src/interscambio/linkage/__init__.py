# SPDX-License-Identifier: EUPL-1.2
"""Record linkage of person records: which record of one file is which person of the other.

Framework-free (DuckDB and NumPy only). See docs/linkage.md.
"""

from interscambio.linkage.columns import COLUMNS
from interscambio.linkage.inputs import LinkInputError
from interscambio.linkage.link import Options, Result, link
from interscambio.linkage.model import Model

__all__ = ["COLUMNS", "LinkInputError", "Model", "Options", "Result", "link"]
