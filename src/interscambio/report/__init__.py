# SPDX-License-Identifier: EUPL-1.2
"""The quarterly report for the technical table (docs/report.md): aggregates only, small counts
suppressed, as JSON, an HTML page of the portal and a PDF."""
