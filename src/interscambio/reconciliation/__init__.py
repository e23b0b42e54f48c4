# SPDX-License-Identifier: EUPL-1.2
"""Reconciliation: which permit is whose, renewals recorded, discrepancies found and kept.

On a Comune node it runs after each permit flow (`comune/`), on a Questura node after each
registry flow (`questura/`), and on demand (`interscambio reconcile`). Both link the partner's
records to their own with the linkage core (`linking.py`), turn what they see into findings
(`findings.py`) and store them as discrepancies with their history (`store.py`). See
docs/reconciliation.md.
"""
