# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interscambio.audit import log
from interscambio.exchange.schedule import Busy
from interscambio.operations import backups


class Command(BaseCommand):
    help = (
        "Back this node up into a new folder (database, data folder, manifest), or restore a "
        "backup into an empty node (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="database and files into a new folder")
        create.add_argument("folder", type=Path)
        restore = actions.add_parser("restore", help="a backup into this empty node")
        restore.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["folder"]
        try:
            if options["action"] == "create":
                made = backups.create(folder)
                self.stdout.write(
                    f"backup of the {made.manifest['node_role']} node "
                    f"{made.manifest['node_id']} in {folder} (it holds the node's keys: keep it "
                    "as secret as they are)"
                )
                return
            restored = backups.restore(folder)
        except Busy:
            raise CommandError(
                "a round of the exchange is running: try again when it ends"
            ) from None
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored the backup of {restored.manifest['taken_at']}; run `interscambio "
            "migrate` if this release is newer than "
            f"{restored.manifest['interscambio']}"
        )
        checked = log.verify()
        if not checked.ok:
            raise CommandError(f"the restored access log does not verify: {checked.message}")
        self.stdout.write(f"access log: {checked.message}")
