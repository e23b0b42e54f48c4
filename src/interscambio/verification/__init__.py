# SPDX-License-Identifier: EUPL-1.2
"""The yes/no answer for other administrations: resident here, a permit covering day D?

Nothing else leaves: no name, no address, no permit number; the expiry only to a caller
allowed to see it. The API in `interscambio.api` authenticates, limits and logs each question.
"""
