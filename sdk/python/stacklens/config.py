"""Where spans go. configure() wins; without it the SDK reads STACKLENS_ENDPOINT /
STACKLENS_API_KEY, which the StackLens extension puts into every integrated terminal."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple
from urllib.parse import urlsplit

from .errors import ConfigurationError, ValidationError

DEFAULT_ENDPOINT = "http://127.0.0.1:4318"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class ExportSettings:
    """How the background export behaves; see configure()."""

    max_queue_size: int = 2048
    max_batch_size: int = 512
    schedule_delay_ms: int = 1000
    max_attempts: int = 5
    retry_base_delay_ms: int = 100
    timeout_ms: int = 10_000


# eq=False: a Config is compared by identity, as the key of its exporter
@dataclass(frozen=True, eq=False)
class Config:
    api_key: Optional[str]
    endpoint: str
    service_name: Optional[str]
    on_export_error: Optional[Callable[[Exception], Any]]
    export: ExportSettings

    @property
    def origin(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def loopback(self) -> bool:
        return (urlsplit(self.endpoint).hostname or "") in _LOOPBACK_HOSTS

    def url(self, path: str) -> str:
        # relative to the endpoint, so a collector behind a path prefix works too
        return self.endpoint.rstrip("/") + "/" + path


_lock = threading.Lock()
_configured: Optional[Config] = None
_from_environment: Optional[Tuple[Tuple[str, str], Config]] = None


def configure(
    api_key: Optional[str] = None,
    endpoint: Optional[str] = None,
    *,
    service_name: Optional[str] = None,
    on_export_error: Optional[Callable[[Exception], Any]] = None,
    max_queue_size: Optional[int] = None,
    max_batch_size: Optional[int] = None,
    schedule_delay_ms: Optional[int] = None,
    max_attempts: Optional[int] = None,
    retry_base_delay_ms: Optional[int] = None,
    timeout_ms: Optional[int] = None,
) -> None:
    """Initialises the SDK (seed 001). Call once at start-up; calling again redirects later spans.

    ``api_key`` defaults to STACKLENS_API_KEY, ``endpoint`` to STACKLENS_ENDPOINT, else
    http://127.0.0.1:4318 (the local collector).
    """
    global _configured
    if api_key is not None and (not isinstance(api_key, str) or not api_key.strip()):
        raise ValidationError(
            "api_key", f"configure(): api_key must be a non-empty string (the collector's token), got {describe(api_key)}."
        )
    key = api_key if api_key is not None else _env("STACKLENS_API_KEY")
    url = endpoint if endpoint is not None else (_env("STACKLENS_ENDPOINT") or DEFAULT_ENDPOINT)
    if key is None and endpoint is None and _env("STACKLENS_ENDPOINT") is None:
        raise ValidationError(
            "api_key", "configure(): give at least an api_key (the collector token shown by `stacklens serve`)."
        )
    if service_name is not None and (not isinstance(service_name, str) or not service_name):
        raise ValidationError("service_name", f"configure(): service_name must be a non-empty string, got {describe(service_name)}.")
    if on_export_error is not None and not callable(on_export_error):
        raise ValidationError("on_export_error", "configure(): on_export_error must be a function taking the exception.")
    export = _export_settings(
        max_queue_size=max_queue_size,
        max_batch_size=max_batch_size,
        schedule_delay_ms=schedule_delay_ms,
        max_attempts=max_attempts,
        retry_base_delay_ms=retry_base_delay_ms,
        timeout_ms=timeout_ms,
    )
    config = Config(key, _checked_endpoint(url), service_name, on_export_error, export)
    with _lock:
        _configured = config


def current_config() -> Config:
    """The active configuration; raises ConfigurationError when there is none."""
    global _from_environment
    if _configured is not None:
        return _configured
    endpoint = _env("STACKLENS_ENDPOINT")
    api_key = _env("STACKLENS_API_KEY")
    if endpoint is None and api_key is None:
        raise ConfigurationError(
            "StackLens is not configured: call stacklens.configure(api_key=..., endpoint=...) before tracing, "
            "or set STACKLENS_API_KEY (and STACKLENS_ENDPOINT if the collector is not at "
            f"{DEFAULT_ENDPOINT}). Terminals opened in VS Code with the StackLens extension have both set."
        )
    seen = (endpoint or "", api_key or "")
    cached = _from_environment
    if cached is not None and cached[0] == seen:
        return cached[1]
    try:
        url = _checked_endpoint(endpoint or DEFAULT_ENDPOINT)
    except ValidationError as error:
        raise ConfigurationError(f"STACKLENS_ENDPOINT is not usable: {error}") from None
    config = Config(api_key, url, None, None, ExportSettings())
    with _lock:
        _from_environment = (seen, config)
    return config


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name, "").strip()
    return value or None


def _checked_endpoint(endpoint: Any) -> str:
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValidationError("endpoint", f"endpoint must be a URL like {DEFAULT_ENDPOINT}, got {describe(endpoint)}.")
    endpoint = endpoint.strip()
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https"):
        raise ValidationError("endpoint", f"endpoint {endpoint!r} must start with http:// or https://.")
    try:
        parts.port  # a bad port only shows when read
    except ValueError:
        raise ValidationError("endpoint", f"endpoint {endpoint!r} has an invalid port; use something like {DEFAULT_ENDPOINT}.") from None
    if not parts.hostname:
        raise ValidationError("endpoint", f"endpoint {endpoint!r} names no host; use something like {DEFAULT_ENDPOINT}.")
    if parts.query or parts.fragment:
        raise ValidationError("endpoint", f"endpoint {endpoint!r} must be a base URL without ?query or #fragment.")
    return endpoint


def _export_settings(**given: Optional[int]) -> ExportSettings:
    values = {}
    for name, value in given.items():
        if value is None:
            continue
        least = 0 if name == "retry_base_delay_ms" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            kind = "an integer ≥ 0" if least == 0 else "a positive integer"
            raise ValidationError(name, f"configure(): {name} must be {kind}, got {describe(value)}.")
        values[name] = value
    return ExportSettings(**values)


def describe(value: Any) -> str:
    """A short description of a bad value for an error message."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return f"a {type(value).__name__}"
