"""What a command run with ``--account safe:ADDRESS`` ends with: a Safe transaction written
to a file instead of anything sent.

``Proposed`` is raised by ``SafeProposer.send`` once the file is written: the command stops
there (what it would have said after sending is not true yet), and the command line reports
the file and the next steps instead. It is not an error: the run exits 0. This module imports
nothing heavy, so the command line can catch it without loading web3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.safe.safe_tx import SafeTransaction


@dataclass(frozen=True)
class Proposal:
    """A Safe transaction written to ``path``, nothing sent; the Safe's owners and threshold
    as read when it was built."""

    tx: SafeTransaction
    path: Path
    owners: tuple[str, ...]
    threshold: int


class Proposed(Exception):  # a way out of a command, not an error
    """The command's calls became a Safe transaction in a file; the command stops here."""

    def __init__(self, proposal: Proposal) -> None:
        super().__init__(f"Safe transaction written to {proposal.path}")
        self.proposal = proposal
