"""Distributions (SPEC §13): dividends to holders of record, with withholding and reserved claims."""
