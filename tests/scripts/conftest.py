"""The governance tests' offering (see tests/governance/conftest.py), for the scripts."""

from __future__ import annotations

from tests.governance.conftest import offering, offering_module

__all__ = ["offering", "offering_module"]
