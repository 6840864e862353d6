"""The JSON-RPC client for bulk reads: kept-alive HTTP connections (one per thread, so range
requests can run concurrently), batches (sent side by side), retries that honour a provider's
``Retry-After``, and failures typed so that a caller can tell a busy provider
(``RateLimited``, ``TransientRpcError``) from a refused request (``RpcError``) from a dead
node (``NodeUnreachableError``).

Why not web3's provider (issue 20, point 6; ``benchmarks/reconcile/RESULTS.md`` has the run):
``w3.eth.get_logs`` formats every log into an ``AttributeDict`` of ``HexBytes`` and took 12x
as long over the same ranges; ``w3.batch_requests()`` took 22x as long for 1,000
``lockedBalanceOf`` calls; ``HTTPProvider.make_request`` with raw dicts was about as fast
(1.16x in the run of RESULTS.md, 0.99x and 1.05x in two earlier ones), but its retry
configuration sleeps a fixed backoff whatever ``Retry-After`` says, never
retries a batch, retries a refused range (HTTP 4xx) as if it were transient, and hides the
429s that the log reader needs to see to slow down. What is left here is that: typing,
retrying and batching, over ``http.client``. Transactions never come through here
(``toolkit.chain.tx`` uses web3).

A call may name the type of its result (``call(..., result=list[RawLog])``): the answer is
then decoded by msgspec straight into that type, skipping the fields the type does not name,
in about a third of the time ``json.loads`` takes to build the same answer as dicts (the
``eth_getLogs`` answers of a cold read are most of what the toolkit ever decodes).
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import msgspec

from toolkit.errors import ChainError, NodeUnreachableError

DEFAULT_TIMEOUT_S = 120.0
MAX_BATCH = 500
T = TypeVar("T")


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


class TransientRpcError(RpcError):
    """Worth sending again as it was: the provider is busy, or a hop on the way failed
    (HTTP 5xx, a dropped connection, an answer cut short)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after  # seconds the provider asked us to wait, if it did


class RateLimited(TransientRpcError):
    """HTTP 429: too many requests; ``retry_after`` is the provider's ``Retry-After``."""


class RpcTimeout(TransientRpcError):
    """The node did not answer in time (often: a log range too large for it)."""


class ProviderUnavailable(RpcError):
    """A request failed transiently as many times as the retry policy allows."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and after how long, a transient failure is retried.

    The wait is the provider's ``Retry-After`` when it sends one (up to ``max_retry_after``),
    else an exponential backoff from ``backoff`` up to ``max_backoff``, with jitter so that
    concurrent requests do not come back all at once.
    """

    attempts: int = 8  # tries of one request, the first included
    backoff: float = 0.1
    max_backoff: float = 5.0
    max_retry_after: float = 60.0

    def wait(self, failures: int, error: TransientRpcError) -> float:
        if error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        return min(self.max_backoff, self.backoff * 2.0 ** (failures - 1)) * random.uniform(0.5, 1)

    def give_up(self, error: TransientRpcError, what: str) -> ProviderUnavailable:
        return ProviderUnavailable(
            f"{what} failed {self.attempts} times in a row (last: {error.message})",
            http_status=error.http_status,
            hint="the provider is overloaded or rate-limiting: try again later, or lower --concurrency",
        )

    def run(self, attempt: Callable[[], T], what: str) -> T:
        """``attempt()``, retried on transient failures."""
        for failures in itertools.count(1):
            try:
                return attempt()
            except TransientRpcError as exc:
                if failures >= self.attempts:
                    raise self.give_up(exc, what) from exc
                time.sleep(self.wait(failures, exc))
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    """``Retry-After``: delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _Answer(msgspec.Struct, Generic[T], gc=False):
    """A JSON-RPC answer whose result has a known type (``JsonRpcClient.call(result=...)``)."""

    result: T | None = None
    error: Any = None


@lru_cache(maxsize=32)
def _answer_decoder(result: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(_Answer[result])


class JsonRpcClient:
    """Safe to share between threads: each thread keeps its own connection."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT_S, retry: RetryPolicy | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NodeUnreachableError(
                f"{url} is not an http(s) JSON-RPC URL", hint="give --rpc-url http://host:port"
            )
        self.url = url
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.requests = 0  # HTTP requests made (for tests and benchmarks)

    # --- transport ----------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            cls = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            connection = cls(self._host, self._port, timeout=self.timeout)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def post_once(self, payload: Any, *, result: Any = None) -> Any:
        """POST one JSON document and return the decoded answer (one try, no retry).

        With ``result`` (a type), a single call's answer is decoded as an ``_Answer`` of that
        type; an answer of another shape is decoded as plain JSON, as without it.
        """
        body = json.dumps(payload, separators=(",", ":")).encode()
        status, retry_after, raw = self._round_trip(body)
        if status == 429:
            raise RateLimited(
                f"{self.url} is rate-limiting (HTTP 429)", http_status=429, retry_after=retry_after
            )
        if status >= 500 and status != 501:
            raise TransientRpcError(
                f"HTTP {status} from {self.url}", http_status=status, retry_after=retry_after
            )
        try:
            answer = _decode(raw, result)
        except ValueError as exc:
            if status != 200:
                text = raw[:300].decode(errors="replace").strip()
                raise RpcError(
                    f"HTTP {status} from {self.url}: {text}", http_status=status
                ) from exc
            raise TransientRpcError(
                f"{self.url} answered with something that is not JSON (cut short?)"
            ) from exc
        if status != 200 and not _is_rpc_error(answer):
            raise RpcError(
                f"HTTP {status} from {self.url}: {str(answer)[:300]}", http_status=status
            )
        return answer

    def post(self, payload: Any, *, result: Any = None) -> Any:
        """POST one JSON document, retrying transient failures (``RetryPolicy``)."""
        return self.retry.run(
            lambda: self.post_once(payload, result=result), f"a request to {self.url}"
        )

    def _round_trip(self, body: bytes) -> tuple[int, float | None, bytes]:
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            connection = self._connect()
            try:
                connection.request(
                    "POST", self._path, body=body, headers={"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                raw = response.read()
                with self._lock:
                    self.requests += 1
                return response.status, _retry_after(response.getheader("Retry-After")), raw
            except TimeoutError as exc:
                self._drop_connection()
                raise RpcTimeout(f"{self.url} did not answer within {self.timeout:.0f} s") from exc
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop_connection()
                if attempt == 0:
                    continue
                raise TransientRpcError(f"lost the connection to {self.url} ({exc})") from exc
            except http.client.IncompleteRead as exc:
                self._drop_connection()
                raise TransientRpcError(f"{self.url} cut its answer short") from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                raise NodeUnreachableError(
                    f"cannot reach the node at {self.url} ({exc})",
                    hint="check the URL and that the node runs, or start one with `equity node start`",
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # --- JSON-RPC -----------------------------------------------------------------------

    def _request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}

    @staticmethod
    def _error(method: str, error: Any) -> RpcError:
        if isinstance(error, dict):
            return RpcError(
                f"{method}: {error.get('message', error)}",
                code=error.get("code"),
                data=error.get("data"),
            )
        return RpcError(f"{method}: {error}")

    def _result(self, method: str, answer: Any) -> Any:
        if isinstance(answer, _Answer):
            if answer.error is not None:
                raise self._error(method, answer.error)
            return answer.result
        if not isinstance(answer, dict):
            raise RpcError(f"{method}: unexpected answer {str(answer)[:100]}")
        if "error" in answer:
            raise self._error(method, answer["error"])
        return answer.get("result")

    def call_once(self, method: str, params: Sequence[Any] = (), *, result: Any = None) -> Any:
        """One try: a transient failure is raised (``TransientRpcError``), not retried.

        ``result``: the type the result is decoded into (default: plain JSON values).
        """
        answer = self.post_once(self._request(method, params), result=result)
        return self._result(method, answer)

    def call(self, method: str, params: Sequence[Any] = (), *, result: Any = None) -> Any:
        return self._result(method, self.post(self._request(method, params), result=result))

    def batch(
        self,
        calls: Sequence[tuple[str, Sequence[Any]]],
        *,
        max_batch: int = MAX_BATCH,
        concurrency: int = 4,
    ) -> list[Any]:
        """Results in the order of ``calls``; a failed call's place holds its ``RpcError``.

        Sent as JSON-RPC batches of at most ``max_batch`` calls (providers cap batch sizes),
        up to ``concurrency`` of them at once; a batch that fails transiently is sent again
        whole.
        """
        chunks = [calls[start : start + max_batch] for start in range(0, len(calls), max_batch)]
        payloads = [[self._request(m, p) for m, p in chunk] for chunk in chunks]
        if len(payloads) > 1 and concurrency > 1:
            with ThreadPoolExecutor(min(concurrency, len(payloads))) as pool:
                answers = list(pool.map(self.post, payloads))
        else:
            answers = [self.post(payload) for payload in payloads]
        results: list[Any] = []
        for chunk, requests, answer in zip(chunks, payloads, answers, strict=True):
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


def _decode(raw: bytes, result: Any) -> Any:
    """The answer decoded as an ``_Answer`` of ``result``, else as plain JSON (``ValueError``
    when it is not JSON at all)."""
    if result is not None:
        try:
            return _answer_decoder(result).decode(raw)
        except msgspec.DecodeError:
            pass  # not JSON, or another shape: plain JSON says which (and keeps the messages)
    return json.loads(raw)


def _is_rpc_error(answer: Any) -> bool:
    if isinstance(answer, _Answer):
        return isinstance(answer.error, dict)
    return isinstance(answer, dict) and isinstance(answer.get("error"), dict)
