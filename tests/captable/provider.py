"""A hosted provider in front of a local node: the stand-in for tests and benchmarks.

An issuer reconciles through Infura, Alchemy or the like, not through an anvil on the same
machine. ``ProviderProxy`` is a small JSON-RPC proxy in front of a real node that answers the
way such a provider does:

- ``eth_getLogs`` over more than ``max_block_range`` blocks is refused, and so is an answer
  of more than ``max_logs`` logs, with the error a well-known provider sends: ``style="infura"``
  (``-32602 "range 52000 exceeds limit of 2000"``, as its live API answers, and ``-32005
  "query returned more than 10000 results"``, as its documentation says) or
  ``style="alchemy"`` (``-32602 "Log response size exceeded. ... this block range should
  work: [0x.., 0x..]"``, one message for both limits, with a range that fits);
- every HTTP request waits ``latency`` seconds (each on its own thread, so concurrent
  requests overlap as they do over a network);
- a token bucket of ``rate_limit`` requests a second (``burst`` at once) answers the excess
  with HTTP 429 and a ``Retry-After`` header (whole seconds, as HTTP defines it);
- a share ``error_rate`` of requests gets a 5xx (502, 503 or 504) instead of an answer;
- a batch of more than ``max_batch`` calls is refused.

Faults are drawn from a seeded generator, so a run can be repeated. Everything else is
forwarded to the node unchanged: a single request's answer passes through as bytes (its logs
are counted, not parsed), so the proxy adds little work of its own.

Run as a script for a benchmark (a process of its own, like a remote provider)::

    python -m tests.captable.provider --upstream http://127.0.0.1:8545 --port 9545 \\
        --max-block-range 2000 --max-logs 10000 --latency 0.05 --rate-limit 50 --error-rate 0.01
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

Style = Literal["infura", "alchemy"]
SERVER_ERRORS = (502, 503, 504)
NULLABLE = ("max_block_range", "max_logs", "rate_limit", "burst")  # 0 on the command line: none


@dataclass
class ProviderLimits:
    max_block_range: int | None = 2_000
    max_logs: int | None = 10_000
    latency: float = 0.0  # seconds added to every HTTP request
    rate_limit: float | None = None  # requests per second; None: no limit
    burst: int | None = None  # requests allowed at once (default: one second's worth)
    error_rate: float = 0.0  # share of requests answered with a 5xx
    style: Style = "infura"
    max_batch: int = 1_000
    seed: int = 0


@dataclass
class ProviderStats:
    requests: int = 0  # HTTP requests received
    forwarded: int = 0  # of which were not refused before the node (429, 5xx)
    range_refusals: int = 0
    size_refusals: int = 0
    rate_limited: int = 0  # answered 429
    server_errors: int = 0  # answered 5xx
    by_method: dict[str, int] = field(default_factory=dict)


class _TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> float:
        """0 if a request may go now, else the seconds until the next token."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


class ProviderProxy:
    """The proxy, serving on 127.0.0.1 from a thread of this process (``start``/``stop``)."""

    def __init__(self, upstream: str, limits: ProviderLimits | None = None, port: int = 0) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/")
        self._local = threading.local()
        self._lock = threading.Lock()
        self.stats = ProviderStats()
        self.configure(limits or ProviderLimits())
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def configure(self, limits: ProviderLimits) -> None:
        """New limits and faults (and fresh statistics), e.g. for each example of a test."""
        with self._lock:
            self.limits = limits
            self._random = random.Random(limits.seed)
            burst = limits.burst or max(1, math.ceil(limits.rate_limit or 1))
            self._bucket = _TokenBucket(limits.rate_limit, burst) if limits.rate_limit else None
            self.stats = ProviderStats()

    def start(self) -> ProviderProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="provider-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ProviderProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the node -----------------------------------------------------------------------

    def _forward(self, body: bytes) -> bytes:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        host, port, path = self._upstream
        for attempt in range(2):
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=600)
                self._local.connection = connection
            try:
                connection.request("POST", path, body, {"Content-Type": "application/json"})
                return connection.getresponse().read()
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = self._local.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    # --- one call -----------------------------------------------------------------------

    def _range_refusal(self, call: dict[str, Any]) -> dict[str, Any] | None:
        limits = self.limits
        if call.get("method") != "eth_getLogs" or limits.max_block_range is None:
            return None
        query = call["params"][0]
        start, end = int(query["fromBlock"], 16), int(query["toBlock"], 16)
        width = end - start + 1
        if width <= limits.max_block_range:
            return None
        with self._lock:
            self.stats.range_refusals += 1
        if limits.style == "alchemy":
            return _error(
                call.get("id"), -32602, self._alchemy(start, start + limits.max_block_range - 1)
            )
        return _error(
            call.get("id"), -32602, f"range {width} exceeds limit of {limits.max_block_range}"
        )

    def _size_refusal(self, call: dict[str, Any], found: int, logs: Any) -> dict[str, Any] | None:
        """The refusal to send an answer of ``found`` logs, if more than ``max_logs``."""
        limits = self.limits
        if limits.max_logs is None or found <= limits.max_logs:
            return None
        with self._lock:
            self.stats.size_refusals += 1
        if limits.style == "alchemy":
            fits = int(logs()[limits.max_logs]["blockNumber"], 16) - 1  # the last block that fits
            start = int(call["params"][0]["fromBlock"], 16)
            return _error(call.get("id"), -32602, self._alchemy(start, max(start, fits)))
        return _error(call.get("id"), -32005, f"query returned more than {limits.max_logs} results")

    def _alchemy(self, start: int, end: int) -> str:
        return (
            "Log response size exceeded. You can make eth_getLogs requests with up to a "
            f"{self.limits.max_block_range} block range and no limit on the response size, or you "
            f"can request any block range with a cap of {self.limits.max_logs} logs in the "
            "response. Based on your parameters and the response size limit, this block range "
            f"should work: [{hex(start)}, {hex(end)}]"
        )

    def _answer_one(self, call: dict[str, Any], body: bytes) -> bytes:
        """A single request's answer, passed through as bytes (its logs counted, not parsed)."""
        refusal = self._range_refusal(call)
        if refusal is not None:
            return json.dumps(refusal).encode()
        answer = self._forward(body)
        if call.get("method") == "eth_getLogs":
            found = answer.count(b'"logIndex"')
            refused = self._size_refusal(call, found, lambda: json.loads(answer)["result"])
            if refused is not None:
                return json.dumps(refused).encode()
        return answer

    def _answer_batch(self, calls: list[dict[str, Any]]) -> bytes:
        """A batch's answers: the calls within the limits go to the node as one batch."""
        answers: list[Any] = [self._range_refusal(call) for call in calls]
        allowed = [call for call, answer in zip(calls, answers, strict=True) if answer is None]
        if allowed:
            upstream = json.loads(self._forward(json.dumps(allowed).encode()))
            by_id = {item.get("id"): item for item in upstream if isinstance(item, dict)}
            for index, call in enumerate(calls):
                if answers[index] is not None:
                    continue
                item = by_id.get(call.get("id"))
                if (
                    call.get("method") == "eth_getLogs"
                    and item
                    and isinstance(item.get("result"), list)
                ):
                    logs = item["result"]
                    item = self._size_refusal(call, len(logs), lambda logs=logs: logs) or item
                answers[index] = item
        return json.dumps(answers).encode()

    def answer(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """(HTTP status, headers, body) for one HTTP request."""
        limits = self.limits
        with self._lock:
            self.stats.requests += 1
            wait = self._bucket.take() if self._bucket is not None else 0.0
            fault = limits.error_rate > 0 and self._random.random() < limits.error_rate
            status = self._random.choice(SERVER_ERRORS) if fault else 200
            if wait:
                self.stats.rate_limited += 1
            elif fault:
                self.stats.server_errors += 1
        if limits.latency:
            time.sleep(limits.latency)
        if wait:
            message = _error(None, 429, "Too Many Requests: your app has exceeded its request rate")
            headers = {"Retry-After": str(max(1, math.ceil(wait)))}
            return 429, headers, json.dumps(message).encode()
        if status != 200:
            return (
                status,
                {"Content-Type": "text/html"},
                b"<html><body>upstream unavailable</body></html>",
            )
        try:
            payload = json.loads(body)
        except ValueError:
            return 200, {}, json.dumps(_error(None, -32700, "Parse error")).encode()
        calls = [payload] if isinstance(payload, dict) else payload
        with self._lock:
            self.stats.forwarded += 1
            for call in calls:
                method = str(call.get("method"))
                self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
        if isinstance(payload, dict):
            return 200, {}, self._answer_one(payload, body)
        if len(payload) > limits.max_batch:
            message = f"batch of {len(payload)} requests exceeds the limit of {limits.max_batch}"
            return 200, {}, json.dumps(_error(None, -32600, message)).encode()
        return 200, {}, self._answer_batch(payload)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as providers do
            disable_nagle_algorithm = True  # headers and body go out without a delayed ACK

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, headers, answer = proxy.answer(body)
                self.send_response(status)
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@contextmanager
def provider_process(upstream: str, limits: ProviderLimits) -> Iterator[str]:
    """The proxy in a process of its own (as a remote provider is); yields its URL."""
    from toolkit.chain.node import free_port, is_responding

    port = free_port()
    args = [
        sys.executable,
        "-m",
        "tests.captable.provider",
        "--upstream",
        upstream,
        "--port",
        str(port),
    ]
    for item in fields(ProviderLimits):
        value = getattr(limits, item.name)
        args += [f"--{item.name.replace('_', '-')}", "0" if value is None else str(value)]
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not is_responding(url, timeout=5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the provider proxy did not start")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, required=True)
    defaults = asdict(ProviderLimits())
    decimals = ("latency", "rate_limit", "error_rate")
    for item in fields(ProviderLimits):
        kind = str if item.name == "style" else float if item.name in decimals else int
        parser.add_argument(
            f"--{item.name.replace('_', '-')}",
            type=kind,
            default=defaults[item.name],
            help="0 = none" if item.name in NULLABLE else None,
        )
    args = vars(parser.parse_args())
    limits = ProviderLimits(
        **{
            item.name: None if item.name in NULLABLE and not args[item.name] else args[item.name]
            for item in fields(ProviderLimits)
        }
    )
    proxy = ProviderProxy(args["upstream"], limits, port=args["port"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        proxy._server.serve_forever()
    finally:
        proxy._server.server_close()


if __name__ == "__main__":
    main()
