"""Secondary trades (SPEC §12): signed offers and bids settled against a payment in one
transaction by the offering's SecondaryMarket. ``orders`` is the pure part (the EIP-712 order,
its file), ``trades`` talks to the chain."""
