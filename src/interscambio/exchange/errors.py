# SPDX-License-Identifier: EUPL-1.2
"""The exchange's own errors; each message says what to do about it."""


class ExchangeError(Exception):
    """An exchange step could not be done (no key, unknown partner, nothing to send...)."""
