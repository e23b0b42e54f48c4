# SPDX-License-Identifier: EUPL-1.2
"""The flow wire format, version 1: a header line, then one JSON record per line.

Framework-free: `writer.py` streams a flow out, `reader.py` streams it back in checking every
line, `tabular.py` renders it as CSV for people; the JSON Schemas are in `schemas/` (linked from
the repository's root) and the format is described in docs/flows.md.
"""

from interscambio.core.flows.reader import FlowError, FlowProblem, FlowReader, read_flow
from interscambio.core.flows.spec import FLOW_TYPES, FORMAT_VERSION, Header, Period
from interscambio.core.flows.writer import FlowWriter, write_flow

__all__ = [
    "FLOW_TYPES",
    "FORMAT_VERSION",
    "FlowError",
    "FlowProblem",
    "FlowReader",
    "FlowWriter",
    "Header",
    "Period",
    "read_flow",
    "write_flow",
]
