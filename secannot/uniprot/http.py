"""HTTP to UniProt: one session with timeouts, deadlines, retries with backoff, Retry-After, and response helpers.

Every request is bounded in time and size, whatever the server does: a
per-request and a per-run deadline are enforced by a watchdog that closes the
connection (the ``(connect, read)`` timeout of requests is per socket read, so
a server trickling one byte every few seconds would otherwise hold a run
forever); bodies are read in chunks up to a size cap; waits between retries
have a total budget; and only the configured scheme and host are contacted,
whatever a redirect or a ``Link`` header names.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from secannot.uniprot.config import UniProtConfig

if TYPE_CHECKING:
    import requests

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class Unavailable(Exception):
    """A request produced no usable answer; ``str()`` says why."""


class _DeadlinePassed(Exception):
    pass


@dataclass
class Reply:
    """A complete HTTP answer, read within the deadline and the size cap."""

    status_code: int
    headers: Mapping[str, str]
    url: str
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    content: bytes = b""

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not JSON (or not UTF-8)."""
        return json.loads(self.content)


class _Sockets:
    """The sockets of one transport, so a watchdog can close them when a deadline passes."""

    def __init__(self) -> None:
        self._live: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._live.add(sock)

    def abort_all(self) -> None:
        with self._lock:
            live = list(self._live)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # a blocked recv() returns at once


def _adapter(sockets: _Sockets) -> Any:
    """A requests adapter whose connections register their sockets with ``sockets``."""
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Conn(HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class SecureConn(HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Conn

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = SecureConn

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}

    return Adapter()


class Transport:
    """One HTTP session with timeouts, deadlines, size caps, retries and backoff.

    After a request has exhausted its retries the transport stops sending
    (every later call fails at once): when UniProt is down, retrying each of
    the remaining batches would only keep a user waiting for the same answer.
    ``log`` receives one line per retry (shown with ``-v``).
    """

    def __init__(self, config: UniProtConfig, sleep: Callable[[float], None],
                 log: Callable[[str], None] | None = None):
        import requests

        self._config = config
        self._sleep = sleep
        self._log = log or (lambda line: None)
        self._sockets = _Sockets()
        self._session = requests.Session()
        adapter = _adapter(self._sockets)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": config.user_agent, "Accept": "application/json"})
        self._home = urlsplit(config.api_root)
        self._started: float | None = None
        self.waited = 0.0
        self.release: str | None = None
        self.gave_up: str | None = None

    def close(self) -> None:
        self._session.close()

    def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        """Send with retries and return the first non-retryable answer,
        whatever its status; redirects are returned, not followed.

        Raises :class:`Unavailable` for a URL off the configured host, an answer
        over the size cap, a passed deadline, or when retries run out.
        """
        import requests

        if self.gave_up is not None:
            raise Unavailable(f"not attempted: {self.gave_up}")
        self._check_host(url)
        if self._started is None:
            self._started = time.monotonic()
        attempts = self._config.max_retries + 1
        problem = ""
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                reply = self._send(method, url, **kwargs)
            except _DeadlinePassed as err:
                raise self._give_up(str(err)) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                problem = describe_exception(err)
            else:
                self._note_release(reply)
                if reply.status_code not in RETRY_STATUSES:
                    return reply
                problem = f"HTTP {reply.status_code}"
                retry_after = parse_retry_after(reply.headers.get("Retry-After"))
            if attempt + 1 < attempts:
                wait = self._wait(attempt, retry_after)
                self._log(f"UniProt: {method} {urlsplit(url).path}: {problem}; "
                          f"retry {attempt + 1} of {attempts - 1} in {wait:.1f} s")
                self._sleep(wait)
                self.waited += wait
        raise self._give_up(f"UniProt failed after {attempts} attempt{'s' if attempts > 1 else ''} ({problem})")

    def _give_up(self, reason: str) -> Unavailable:
        self.gave_up = reason
        return Unavailable(reason)

    def _check_host(self, url: str) -> None:
        """Only the configured scheme, host and port (a redirect or Link elsewhere would carry the User-Agent)."""
        target = urlsplit(url)
        if (target.scheme, target.netloc) != (self._home.scheme, self._home.netloc):
            raise Unavailable(f"UniProt pointed to {target.scheme}://{target.netloc}, not the configured "
                              f"{self._home.scheme}://{self._home.netloc}; not followed")

    def _deadline(self) -> float:
        assert self._started is not None
        now = time.monotonic()
        run_end = self._started + self._config.run_deadline
        if now >= run_end:
            raise _DeadlinePassed(f"UniProt run deadline of {self._config.run_deadline:.0f} s passed")
        return min(now + self._config.request_deadline, run_end)

    def _send(self, method: str, url: str, **kwargs: Any) -> Reply:
        """One attempt, bounded by the deadline (a watchdog closes the socket) and the size cap."""
        import requests

        deadline = self._deadline()
        connect, read = self._config.timeout
        remaining = deadline - time.monotonic()
        watchdog = threading.Timer(remaining, self._sockets.abort_all)
        watchdog.daemon = True
        watchdog.start()
        try:
            response = self._session.request(method, url, timeout=(min(connect, remaining), min(read, remaining)),
                                             allow_redirects=False, stream=True, **kwargs)
            with response:
                content = self._read_body(response)
        except (requests.RequestException, OSError):
            if time.monotonic() >= deadline - 0.01:
                raise _DeadlinePassed(self._deadline_message(deadline)) from None
            raise
        finally:
            watchdog.cancel()
        return Reply(response.status_code, response.headers, response.url, dict(response.links), content)

    def _deadline_message(self, deadline: float) -> str:
        assert self._started is not None
        if deadline >= self._started + self._config.run_deadline - 1e-6:
            return f"UniProt run deadline of {self._config.run_deadline:.0f} s passed"
        return f"UniProt sent no complete answer within {self._config.request_deadline:.0f} s (the per-request deadline)"

    def _read_body(self, response: requests.Response) -> bytes:
        cap = self._config.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise self._give_up(f"UniProt answer of {int(declared):,} bytes is over the {cap:,}-byte cap")
        chunks = []
        size = 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > cap:
                raise self._give_up(f"UniProt answer is over the {cap:,}-byte cap; not read further")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before the next attempt; raises Unavailable when the wait is over budget."""
        config = self._config
        if retry_after is not None and retry_after > config.max_wait:
            raise self._give_up(f"UniProt asked to retry after {retry_after:.0f} s (Retry-After), longer than "
                                f"secannot waits ({config.max_wait:.0f} s); try again later")
        wait = retry_after if retry_after is not None else min(config.backoff * 2.0**attempt, config.max_wait)
        if self.waited + wait > config.max_total_wait:
            raise self._give_up(f"UniProt still failing after {self.waited:.0f} s of waiting between retries "
                                f"(the cap is {config.max_total_wait:.0f} s)")
        return wait

    def _note_release(self, response: Reply) -> None:
        release = response.headers.get("X-UniProt-Release")
        if release:
            self.release = release


def json_body(response: Reply) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as err:  # requests.JSONDecodeError is a ValueError
        raise Unavailable(f"UniProt sent invalid JSON (HTTP {response.status_code})") from err
    if not isinstance(data, dict):
        raise Unavailable("UniProt sent JSON of an unexpected shape")
    return data


def next_link(response: Reply) -> str | None:
    link = response.links.get("next")
    return urljoin(response.url, link["url"]) if link and link.get("url") else None


def error_messages(response: Reply) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, list) and messages:
        return "; ".join(str(m) for m in messages)
    return f"HTTP {response.status_code}"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def describe_exception(err: Exception) -> str:
    import requests

    if isinstance(err, requests.Timeout):
        return "timed out"
    if isinstance(err, requests.ConnectionError):
        return "connection failed"
    return type(err).__name__


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
