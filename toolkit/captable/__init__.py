"""The cap table from the chain, and its reconciliation against the legal share register.

A functional core inside an imperative shell:

- ``events``     raw logs -> typed events (pure decoding, no ABI machinery at run time)
- ``ledger``     events -> ledger: balances per class and wallet, the registry's view of
                 each wallet, lock horizons (pure fold, memory bounded by holders)
- ``log_fold``   raw logs -> ledger and journal records in one pass (the cold read's hot
                 path; the same result as ``events`` then ``ledger``)
- ``cap_table``  ledger (+ locked shares read at a block) -> the cap table (pure)
- ``register``   the legal register (CSV of SPEC §7, or an ``.ocf.zip``) -> rows
- ``reconcile``  register rows + ledger -> discrepancies of SPEC §9 (pure)
- ``ocf``        cap-table history -> an OCF 1.2.0 package, and OCF packages -> register rows

The shell: ``log_reader`` (concurrent, adaptive ``eth_getLogs`` through
``toolkit.chain.rpc``), ``cache`` (the on-disk journal and snapshot), ``indexer`` (reads an
offering's events incrementally and reorg-safely) and ``api`` (the entry points the CLI and
scripts call).
"""
