"""Typed errors that carry a user message and an exit code (SPEC §6).

Library code raises these; the CLI has one handler that prints them as one or two plain
lines (or the ``--json`` error shape) and exits with ``exit_code``. Nothing else in the
toolkit calls ``sys.exit``.
"""

from __future__ import annotations


class EquityError(Exception):
    """Base of every error the user should see as a message rather than a traceback."""

    exit_code: int = 2
    kind: str = "error"

    def __init__(self, message: str, *, hint: str | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if kind is not None:
            self.kind = kind

    def lines(self) -> list[str]:
        """The one or two lines shown to the user: the cause, then the fix."""
        out = [f"error: {self.message}"]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class UsageError(EquityError):
    """Bad usage or bad input; nothing was sent to the chain (exit 2)."""

    exit_code = 2
    kind = "usage"


class InputError(UsageError):
    """A file or value the user gave is invalid (exit 2)."""

    kind = "input"


class ToolchainError(UsageError):
    """A required tool (node, npm packages, solc) is missing or broken (exit 2)."""

    kind = "toolchain"


class CompileError(UsageError):
    """The Solidity compiler rejected the sources (exit 2)."""

    kind = "compile"


class KeystoreError(UsageError):
    """A keystore is missing, or its password is wrong (exit 2)."""

    kind = "keystore"


class ChainError(EquityError):
    """The chain refused or failed: unreachable node, wrong chain, revert (exit 3)."""

    exit_code = 3
    kind = "chain"


class NodeUnreachableError(ChainError):
    kind = "unreachable"


class WrongChainError(ChainError):
    kind = "wrong_chain"


class InsufficientFundsError(ChainError):
    kind = "insufficient_funds"


class StateConflictError(ChainError):
    """What was asked conflicts with the chain's state (a wallet registered already, a class
    paused already), found by reading the state first: nothing was sent (exit 3, as the
    contract's own refusal would be)."""

    kind = "state"


class TransactionRevertedError(ChainError):
    """A transaction (or its estimate) reverted; ``reason`` is the decoded custom error."""

    kind = "revert"

    def __init__(
        self,
        message: str,
        *,
        error_name: str | None = None,
        error_args: dict[str, object] | None = None,
        hint: str | None = None,
        tx_hash: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.error_name = error_name
        self.error_args = error_args or {}
        self.tx_hash = tx_hash
