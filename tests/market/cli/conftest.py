"""The example offering (tests/issuer's session deployment) with its holders, issuances and a
test stablecoin, driven through the real CLI in a working directory of the test's own."""

from __future__ import annotations

from tests.issuer import conftest as issuer_fixtures

session_offering = issuer_fixtures.session_offering
issuer = issuer_fixtures.issuer
