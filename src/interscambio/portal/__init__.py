# SPDX-License-Identifier: EUPL-1.2
"""The consultation portal: login with a second factor, search and person view for the
Questura's consultants and the Comune's staff, the access log for the Prefettura's supervisor.

Every page that shows personal data goes through `consultation.reads` (purpose, case
reference, field policy, log entry); who may open which page is declared once per view with
`acting.requires` and walked by tests/test_portal_routes.py for every route.
"""
