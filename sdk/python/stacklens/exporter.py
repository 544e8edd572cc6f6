"""Sends finished spans to the collector off the caller's path: a bounded queue (full → drop and
count), batches by size or after a short delay on a daemon thread, retries with exponential
backoff on network errors, 429 and 5xx, and a last flush at interpreter exit (atexit), so a
short script delivers its spans with no explicit flush(). Nothing here raises into traced
code; failures surface from flush() and through on_export_error."""
from __future__ import annotations

import atexit
import json
import os
import random
import sys
import threading
import time
from collections import deque
from typing import Any, Deque, Dict, List, NamedTuple, Optional, Union

from . import transport
from .config import Config, current_config
from .errors import ApiError, AuthError, ConfigurationError, StackLensError
from .wire import to_wire

Item = Union[Any, Dict[str, Any]]  # a Span, or a score record (a dict)


class ExportStats(NamedTuple):
    queued: int  # spans and scores waiting to be sent
    sent_spans: int  # spans the collector accepted
    sent_scores: int
    dropped: int  # spans and scores dropped because the queue was full
    failed: int  # spans and scores that could not be delivered


_totals = {"sent_spans": 0, "sent_scores": 0, "dropped": 0, "failed": 0}
_totals_lock = threading.Lock()


def _count(name: str, amount: int) -> None:
    with _totals_lock:
        _totals[name] += amount


class Exporter:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._cond = threading.Condition(threading.Lock())
        self._queue: Deque[Item] = deque()
        self._oldest = 0.0  # when the oldest queued item arrived (monotonic)
        self._in_flight = 0  # batches being sent
        self._urgent = 0  # flush() calls waiting: send at once, do not wait for a batch to fill
        self._stopped = False
        self._thread: Optional[threading.Thread] = None
        self._errors: List[StackLensError] = []

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def idle(self) -> bool:
        return not self._queue and self._in_flight == 0

    def enqueue(self, item: Item) -> None:
        settings = self.config.export
        with self._cond:
            if len(self._queue) >= settings.max_queue_size:
                _count("dropped", 1)
                return
            self._queue.append(item)
            size = len(self._queue)
            if size == 1:
                self._oldest = time.monotonic()
                self._start_worker()
                self._cond.notify_all()
            elif size == settings.max_batch_size:
                self._cond.notify_all()

    def drain(self, deadline: Optional[float]) -> bool:
        """Sends everything queued; True once the queue is empty and nothing is in flight."""
        if threading.current_thread() is self._thread:
            return True  # flush() from on_export_error, on the export thread: waiting would wait for itself
        with self._cond:
            self._urgent += 1
            self._cond.notify_all()
            try:
                while self._queue or self._in_flight:
                    if self._queue and not self._worker_alive():
                        # no worker (a forked child, or the interpreter is shutting down): send here
                        batch = self._take()
                        self._cond.release()
                        try:
                            self._send(batch)
                        finally:
                            self._cond.acquire()
                        continue
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    # woken when a batch is done; the bound re-checks that the worker still lives
                    self._cond.wait(0.25 if remaining is None else min(remaining, 0.25))
                return True
            finally:
                self._urgent -= 1

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def take_errors(self) -> List[StackLensError]:
        with self._cond:
            errors, self._errors = self._errors, []
        return errors

    # -- the worker thread -------------------------------------------------------------------

    def _worker_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _start_worker(self) -> None:
        # a stopped exporter still gets a worker for late items: it sends them, then ends
        if self._worker_alive():
            return
        thread = threading.Thread(target=self._run, name="stacklens-export", daemon=True)
        try:
            thread.start()
        except RuntimeError:
            self._thread = None  # "can't create new thread at interpreter shutdown": drain() sends inline
            return
        self._thread = thread

    def _run(self) -> None:
        settings = self.config.export
        while True:
            with self._cond:
                while True:
                    if self._stopped and not self._queue:
                        return
                    if self._queue:
                        if self._urgent or self._stopped or len(self._queue) >= settings.max_batch_size:
                            break
                        wait = self._oldest + settings.schedule_delay_ms / 1000.0 - time.monotonic()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        self._cond.wait()
                batch = self._take()
            self._send(batch)

    def _take(self) -> List[Item]:
        """Takes the next batch off the queue; the caller holds the lock."""
        size = min(len(self._queue), self.config.export.max_batch_size)
        batch = [self._queue.popleft() for _ in range(size)]
        self._in_flight += 1
        return batch

    def _send(self, batch: List[Item]) -> None:
        try:
            spans = [item for item in batch if not isinstance(item, dict)]
            if spans:
                self._send_spans(spans)
            for item in batch:
                if isinstance(item, dict):
                    self._send_score(item)
        except Exception as error:  # a bug of ours must not kill the export thread
            self._fail(len(batch), StackLensError(f"Export failed unexpectedly: {error!r}. This is a bug in the StackLens SDK; please report it."))
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def _send_spans(self, spans: List[Any]) -> None:
        try:
            body = json.dumps({"spans": [to_wire(span, self.config) for span in spans]}, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as error:
            self._fail(len(spans), StackLensError(f"Could not encode {len(spans)} span(s) for export: {error}. This is a bug in the StackLens SDK; please report it."))
            return
        outcome = self._deliver("api/v1/spans", body.encode("ascii"))
        if outcome is None:
            _count("sent_spans", len(spans))
        elif isinstance(outcome, ApiError) and outcome.status_code in (400, 413) and len(spans) > 1:
            # The collector stores nothing of a batch with one bad span (or one too large): halve it
            # until the bad span stands alone, so every valid span still arrives.
            half = (len(spans) + 1) // 2
            self._send_spans(spans[:half])
            self._send_spans(spans[half:])
        else:
            self._fail(len(spans), outcome)

    def _send_score(self, score: Dict[str, Any]) -> None:
        outcome = self._deliver("api/v1/scores", json.dumps(score, separators=(",", ":")).encode("ascii"))
        if outcome is None:
            _count("sent_scores", 1)
        else:
            self._fail(1, outcome)

    def _deliver(self, path: str, body: bytes) -> Optional[StackLensError]:
        config, settings = self.config, self.config.export
        url = config.url(path)
        last: StackLensError = ApiError(0, "not sent")
        for attempt in range(1, settings.max_attempts + 1):
            reply = None
            try:
                reply = transport.request("POST", url, config.api_key, body, settings.timeout_ms / 1000.0, config.loopback)
            except transport.Unreachable as error:
                last = ApiError(
                    0,
                    f"Could not reach the StackLens collector at {config.origin} ({error}) after {attempt} attempt(s). "
                    "Is it running? Start it with `stacklens serve`, or open the project in VS Code with the StackLens extension.",
                )
            if reply is not None:
                if 200 <= reply.status < 300:
                    return None
                if reply.status in (401, 403):
                    return AuthError(
                        f"The StackLens collector at {config.origin} refused the API key (HTTP {reply.status}: {transport.reason(reply)}). "
                        "Use the token the collector printed when it started (the extension puts it in STACKLENS_API_KEY), "
                        "or pass it to stacklens.configure(api_key=...).",
                        reply.status,
                    )
                last = ApiError(reply.status, f"The StackLens collector at {config.origin} answered HTTP {reply.status} to POST /{path}: {transport.reason(reply)}")
                if reply.status != 429 and reply.status < 500:
                    return last
            if attempt < settings.max_attempts:
                delay = settings.retry_base_delay_ms / 1000.0 * 2 ** (attempt - 1) * (0.75 + random.random() * 0.5)
                asked = reply.retry_after if reply is not None and reply.retry_after is not None else 0.0
                time.sleep(min(max(delay, asked), 10.0))
        return last

    def _fail(self, count: int, error: StackLensError) -> None:
        _count("failed", count)
        what = f"{count} span{'' if count == 1 else 's'} or score{'' if count == 1 else 's'} not delivered"
        error.args = (f"{error} ({what})",)
        with self._cond:
            self._errors.append(error)
            del self._errors[:-100]
        _report(self.config, error, str(error)[: -len(what) - 3])


_reported: set = set()


def _report(config: Config, error: StackLensError, key: str) -> None:
    if config.on_export_error is not None:
        try:
            config.on_export_error(error)
        except Exception:
            pass  # the user's handler failing must not break export
        return
    if key in _reported:
        return
    _reported.add(key)
    try:
        sys.stderr.write(f"[stacklens] {type(error).__name__}: {error}\n")
    except Exception:
        pass  # stderr closed at exit


_registry_lock = threading.Lock()
_exporters: Dict[Config, Exporter] = {}
_exit_hook_installed = False


def _exporter_for(config: Config) -> Exporter:
    global _exit_hook_installed
    exporter = _exporters.get(config)
    if exporter is not None:
        return exporter
    with _registry_lock:
        exporter = _exporters.get(config)
        if exporter is None:
            for old, other in list(_exporters.items()):
                if other.idle:
                    other.stop()
                    del _exporters[old]
            exporter = _exporters[config] = Exporter(config)
        if not _exit_hook_installed:
            atexit.register(_at_exit)
            _exit_hook_installed = True
    return exporter


def export_span(span: Any) -> None:
    try:
        config = current_config()
    except ConfigurationError:
        return  # the configuration vanished after the span started (environment cleared); nowhere to send
    _exporter_for(config).enqueue(span)


def export_score(score: Dict[str, Any]) -> None:
    try:
        config = current_config()
    except ConfigurationError:
        return
    _exporter_for(config).enqueue(score)


def flush(timeout: Optional[float] = None) -> None:
    """Sends every queued span and score now and waits for it. Raises the first export failure
    since the previous flush (AuthError for a refused key, ApiError otherwise); the rest are
    counted in export_stats().failed. ``timeout`` in seconds bounds the wait."""
    deadline = None if timeout is None else time.monotonic() + timeout
    exporters = list(_exporters.values())
    unfinished = [exporter for exporter in exporters if not exporter.drain(deadline)]
    errors = [error for exporter in exporters for error in exporter.take_errors()]
    if errors:
        raise errors[0]
    if unfinished:
        left = sum(exporter.queued for exporter in unfinished)
        raise StackLensError(
            f"flush() gave up after {timeout} s with {left} span(s) or score(s) still queued; they keep being sent "
            "in the background. Is the collector slow or unreachable? Call flush() again, or pass a longer timeout."
        )


def shutdown(timeout: Optional[float] = None) -> None:
    """flush(), then stop the export threads; tracing afterwards starts afresh."""
    try:
        flush(timeout)
    finally:
        with _registry_lock:
            for exporter in _exporters.values():
                exporter.stop()
            _exporters.clear()


def export_stats() -> ExportStats:
    queued = sum(exporter.queued for exporter in list(_exporters.values()))
    with _totals_lock:
        return ExportStats(queued, _totals["sent_spans"], _totals["sent_scores"], _totals["dropped"], _totals["failed"])


def _at_exit() -> None:
    # failures were already reported (stderr or on_export_error) as they happened
    for exporter in list(_exporters.values()):
        exporter.drain(None)


def _after_fork_in_child() -> None:
    # the parent sends what it queued; the child starts with fresh locks and no export thread
    global _registry_lock, _totals_lock
    _registry_lock = threading.Lock()
    _totals_lock = threading.Lock()
    _exporters.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
