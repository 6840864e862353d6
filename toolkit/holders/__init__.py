"""Qualified holders: the registry's wallets, investors, jurisdictions and expiries."""
