"""A lean JSON-RPC client for reading an offering's history: one kept-alive HTTP connection,
batch requests, and errors typed so that callers can tell a refused range from a dead node.

The indexer moves tens of megabytes of logs; going through web3's provider and middleware
for that costs more than the transfer itself. Writes never go through here: transactions use
``toolkit.chain.tx``.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from toolkit.errors import ChainError, NodeUnreachableError

DEFAULT_TIMEOUT_S = 120.0
MAX_BATCH = 500
RATE_LIMIT_RETRIES = 4


class RpcError(ChainError):
    """The node answered with a JSON-RPC error (or an HTTP error status)."""

    kind = "rpc"

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        data: Any = None,
        http_status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.data = data
        self.http_status = http_status


class RpcTimeout(RpcError):
    """The node did not answer in time (often: a log range too large for it)."""


class JsonRpcClient:
    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NodeUnreachableError(
                f"{url} is not an http(s) JSON-RPC URL", hint="give --rpc-url http://host:port"
            )
        self.url = url
        self.timeout = timeout
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._connection: http.client.HTTPConnection | None = None
        self._next_id = 1
        self.requests = 0  # HTTP requests made (for tests and benchmarks)

    # --- transport ----------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            cls = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = cls(self._host, self._port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def post(self, payload: Any) -> Any:
        """POST one JSON document and return the decoded answer."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            status, raw = self._round_trip(body)
            if status == 429 and attempt < RATE_LIMIT_RETRIES:
                time.sleep(0.5 * 2**attempt)
                continue
            if status != 200:
                text = raw[:300].decode(errors="replace").strip()
                raise RpcError(f"HTTP {status} from {self.url}: {text}", http_status=status)
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise RpcError(f"{self.url} answered with something that is not JSON") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _round_trip(self, body: bytes) -> tuple[int, bytes]:
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            connection = self._connect()
            try:
                connection.request(
                    "POST", self._path, body=body, headers={"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                raw = response.read()
                self.requests += 1
                return response.status, raw
            except TimeoutError as exc:
                self.close()
                raise RpcTimeout(f"{self.url} did not answer within {self.timeout:.0f} s") from exc
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if attempt == 0:
                    continue
                raise NodeUnreachableError(
                    f"lost the connection to {self.url} ({exc})", hint="check that the node runs"
                ) from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise NodeUnreachableError(
                    f"cannot reach the node at {self.url} ({exc})",
                    hint="check the URL and that the node runs, or start one with `equity node start`",
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # --- JSON-RPC -----------------------------------------------------------------------

    def _request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        request = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": list(params)}
        self._next_id += 1
        return request

    @staticmethod
    def _error(method: str, error: Any) -> RpcError:
        if isinstance(error, dict):
            return RpcError(
                f"{method}: {error.get('message', error)}",
                code=error.get("code"),
                data=error.get("data"),
            )
        return RpcError(f"{method}: {error}")

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        answer = self.post(self._request(method, params))
        if not isinstance(answer, dict):
            raise RpcError(f"{method}: unexpected answer {str(answer)[:100]}")
        if "error" in answer:
            raise self._error(method, answer["error"])
        return answer.get("result")

    def batch(
        self, calls: Sequence[tuple[str, Sequence[Any]]], *, max_batch: int = MAX_BATCH
    ) -> list[Any]:
        """Results in the order of ``calls``; a failed call's place holds its ``RpcError``.

        Sent as JSON-RPC batches of at most ``max_batch`` calls (providers cap batch sizes).
        """
        results: list[Any] = []
        for start in range(0, len(calls), max_batch):
            chunk = calls[start : start + max_batch]
            requests = [self._request(m, p) for m, p in chunk]
            answer = self.post(requests)
            if isinstance(answer, dict) and "error" in answer:  # the whole batch was refused
                raise self._error("batch", answer["error"])
            if not isinstance(answer, list):
                raise RpcError(f"batch: unexpected answer {str(answer)[:100]}")
            by_id = {item.get("id"): item for item in answer if isinstance(item, dict)}
            for request, (method, _params) in zip(requests, chunk, strict=True):
                item = by_id.get(request["id"])
                if item is None:
                    results.append(RpcError(f"{method}: no answer in the batch"))
                elif "error" in item:
                    results.append(self._error(method, item["error"]))
                else:
                    results.append(item.get("result"))
        return results

    def batch_or_raise(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        results = self.batch(calls)
        for result in results:
            if isinstance(result, RpcError):
                raise result
        return results
