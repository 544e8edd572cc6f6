"""One HTTP request to the collector with urllib: no dependency. Proxies from the environment
are honoured except for a collector on this machine, which a proxy could not reach."""
from __future__ import annotations

import gzip
import http.client
import json
import socket
import urllib.error
import urllib.request
from typing import NamedTuple, Optional

# a batch with long prompts and completions shrinks several times over; small ones are not worth the CPU
_GZIP_ABOVE_BYTES = 64 * 1024

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_via_environment = urllib.request.build_opener()


class Reply(NamedTuple):
    status: int
    retry_after: Optional[float]  # seconds, from a Retry-After header
    body: str


class Unreachable(Exception):
    """No HTTP answer came: refused, reset, timed out, or the name did not resolve."""


def request(method: str, url: str, api_key: Optional[str], body: Optional[bytes], timeout_s: float, loopback: bool) -> Reply:
    """Any HTTP answer, error statuses included; raises Unreachable only when no answer came."""
    headers = {"Accept": "application/json", "User-Agent": "stacklens-python"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        if len(body) > _GZIP_ABOVE_BYTES:
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
    outgoing = urllib.request.Request(url, data=body, headers=headers, method=method)
    opener = _direct if loopback else _via_environment
    try:
        with opener.open(outgoing, timeout=timeout_s) as answer:
            return Reply(answer.status, _retry_after(answer.headers.get("Retry-After")), _text(answer.read()))
    except urllib.error.HTTPError as answer:
        with answer:
            text = _text(answer.read())
        return Reply(answer.code, _retry_after(answer.headers.get("Retry-After")), text)
    except urllib.error.URLError as error:
        raise Unreachable(_describe(error.reason)) from error
    except (OSError, http.client.HTTPException) as error:
        raise Unreachable(_describe(error)) from error


def reason(reply: Reply) -> str:
    """The one-line reason of an error answer: the collector's ``error`` field, or the body itself."""
    try:
        parsed = json.loads(reply.body)
        text = parsed.get("error") or parsed.get("message") if isinstance(parsed, dict) else None
        if isinstance(text, str) and text:
            return text
    except ValueError:
        pass
    body = " ".join(reply.body.split())
    return body[:300] if body else f"HTTP {reply.status}"


def _describe(error: object) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    return str(error) or type(error).__name__


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from a collector, the backoff applies instead
    return seconds if seconds is not None and seconds >= 0 else None


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
