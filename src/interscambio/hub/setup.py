# SPDX-License-Identifier: EUPL-1.2
"""A new Comune's node made ready in one process: its database migrated, its key made, its
Questura added as partner and trusted. The hub runs this in the Comune's own environment
(`python -m interscambio.hub.setup`), since a process is one node."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="interscambio.hub.setup")
    parser.add_argument("--questura")
    parser.add_argument("--questura-name", default="")
    parser.add_argument("--transport", choices=("api", "file"), default="api")
    parser.add_argument("--url", default="")
    parser.add_argument("--since", type=date.fromisoformat)
    parser.add_argument("--certificate", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interscambio.project.settings")
    import django  # type: ignore[import-untyped]

    django.setup()
    from django.core.management import call_command  # type: ignore[import-untyped]
    from django.db import transaction  # type: ignore[import-untyped]

    from interscambio.exchange.errors import ExchangeError
    from interscambio.exchange.models import Partner
    from interscambio.exchange.trust import init_keys, trust_certificate

    try:
        call_command("migrate", verbosity=0)
        init_keys()
        if args.questura:
            with transaction.atomic():
                Partner.objects.create(
                    node_id=args.questura,
                    name=args.questura_name or f"Questura {args.questura}",
                    transport=args.transport,
                    url=args.url,
                    since=args.since,
                )
                if args.certificate:
                    trust_certificate(args.certificate.read_bytes())
    except (ExchangeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
