"""Shareholder governance: proposals, votes (also by signed EIP-712 ballot), queue, execute.

Pure parts (no chain): ``actions`` turns the proposal ACTION strings of SPEC §5 into
timelock calls, ``ballot`` builds, signs and checks EIP-712 ballots, ``proposals`` holds the
proposal id, state names and the tally arithmetic. ``governor`` is the thin adapter that
talks to a deployed offering; ``clock`` moves a local chain's time; ``scripting`` lets the
scripts in ``scripts/`` run under brownie and plain Python on the same library.
"""
