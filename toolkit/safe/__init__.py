"""A Safe multisig (Safe 1.4.1) as the issuer: deploy one on a local chain, turn a command's
calls into one Safe transaction written to a file (``SafeProposer``), let owners sign it
offline with their keystores, show who signed, and execute it once the threshold is met.

safe-eth-py computes the SafeTx hash (EIP-712) and the owners' signatures and encodes
MultiSend batches; the contracts are the compiled artifacts of the npm package
``@safe-global/safe-contracts`` 1.4.1.
"""
