"""Issuing shares: one grant, or a CSV of them in resumable, journalled batches."""
