# SPDX-License-Identifier: EUPL-1.2
from interscambio.cli import main

raise SystemExit(main())
