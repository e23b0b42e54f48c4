# SPDX-License-Identifier: EUPL-1.2
"""Running a node: health and readiness probes, Prometheus metrics, request ids and JSON logs.

See docs/operations.md. Nothing here reads or writes personal data: metrics are counts, and a
request is logged by its route pattern (`consultazione/persone/<str:registry_id>/`), never by
its path, query string or body.
"""
