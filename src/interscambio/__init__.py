# SPDX-License-Identifier: EUPL-1.2
"""interscambio: the Comune-Questura exchange node for foreign residents and residence permits."""

__version__ = "0.1.0"
