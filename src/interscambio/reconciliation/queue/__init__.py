# SPDX-License-Identifier: EUPL-1.2
"""The operators' work queue on the discrepancies (docs/queue.md): what it lists and in which
order (`listing`), what a page shows side by side (`sides`), the actions (`actions`), one
action on many (`bulk`), and the configured outcomes (`outcomes`)."""
