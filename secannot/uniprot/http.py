"""HTTP to UniProt: one session with timeouts, retries with backoff, Retry-After, and response helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from secannot.uniprot.config import UniProtConfig

if TYPE_CHECKING:
    import requests

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class Unavailable(Exception):
    """A request produced no usable answer; ``str()`` says why."""


class Transport:
    """One HTTP session with timeouts, retries and backoff.

    After a request has exhausted its retries the transport stops sending
    (every later call fails at once): when UniProt is down, retrying each of
    the remaining batches would only keep a user waiting for the same answer.
    """

    def __init__(self, config: UniProtConfig, sleep: Callable[[float], None]):
        import requests

        self._config = config
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": config.user_agent, "Accept": "application/json"})
        self.release: str | None = None
        self.gave_up: str | None = None

    def close(self) -> None:
        self._session.close()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send with retries and return the first non-retryable response,
        whatever its status; redirects are returned, not followed."""
        import requests

        if self.gave_up is not None:
            raise Unavailable(f"not attempted: {self.gave_up}")
        attempts = self._config.max_retries + 1
        problem = ""
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                response = self._session.request(
                    method, url, timeout=self._config.timeout, allow_redirects=False, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                problem = describe_exception(err)
            else:
                self._note_release(response)
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                response.close()
            if attempt + 1 < attempts:
                self._sleep(self._wait(attempt, retry_after))
        self.gave_up = f"UniProt failed after {attempts} attempt{'s' if attempts > 1 else ''} ({problem})"
        raise Unavailable(self.gave_up)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._config.max_wait)
        return min(self._config.backoff * 2.0**attempt, self._config.max_wait)

    def _note_release(self, response: requests.Response) -> None:
        release = response.headers.get("X-UniProt-Release")
        if release:
            self.release = release


def json_body(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as err:  # requests.JSONDecodeError is a ValueError
        raise Unavailable(f"UniProt sent invalid JSON (HTTP {response.status_code})") from err
    if not isinstance(data, dict):
        raise Unavailable("UniProt sent JSON of an unexpected shape")
    return data


def next_link(response: requests.Response) -> str | None:
    link = response.links.get("next")
    return urljoin(response.url, link["url"]) if link and link.get("url") else None


def error_messages(response: requests.Response) -> str:
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
