# SPDX-License-Identifier: EUPL-1.2
"""What the exchange tells the rest of the node.

`flow_applied` is sent once a received flow has been applied and committed, with `flow`: the
reconciliation listens, so the exchange does not depend on it.
"""

from django.dispatch import Signal

flow_applied = Signal()
