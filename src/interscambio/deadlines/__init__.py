# SPDX-License-Identifier: EUPL-1.2
"""The registry's deadlines for each foreign resident, recomputed daily (docs/deadlines.md)."""
