"""A span while the user's code runs: what it records, and the cost and call count it rolls up
from its descendants as they end (seed 004). It becomes the simple span form of
docs/simple-span-format.md only at export, on the export thread."""
from __future__ import annotations

import contextvars
import math
import numbers
import os
import secrets
import threading
import time
import traceback
from typing import Any, Dict, List, Optional

from . import context, exporter
from .call_site import CallSite
from .config import describe
from .errors import ValidationError
from .validate import (
    UNREPORTED_COST, LlmRecord, attribute_map, attribute_value, llm_record, span_kind, status as check_status, tag_list,
)

# rollups arrive from children ending on any thread; one lock is enough, it is held for microseconds
_rollup_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _rollup_lock
    _rollup_lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def now_ms() -> float:
    return time.time() * 1000.0


def _new_id(nbytes: int) -> str:
    value = secrets.token_hex(nbytes)
    # an all-zero id is invalid in W3C trace context; astronomically rare, cheap to rule out
    return value if value.strip("0") else _new_id(nbytes)


class Span:
    """The handle ``start_trace()`` and ``span()`` give you; use it in a ``with`` block."""

    def __init__(self, name: str, parent: Optional["Span"], default_kind: str, call_site: Optional[CallSite]) -> None:
        self.name = name
        self.parent = parent
        self.trace_id: str = parent.trace_id if parent is not None else _new_id(16)
        self.span_id: str = _new_id(8)
        self.default_kind = default_kind
        self.call_site = call_site
        self.start_time = now_ms()
        self._clock = time.perf_counter()
        self.end_time: Optional[float] = None
        self.kind: Optional[str] = None
        self.status: Optional[str] = None
        self.status_message: Optional[str] = None
        self.attributes: Optional[Dict[str, Any]] = None
        self.tags: Optional[List[str]] = None
        self.events: Optional[List[Dict[str, Any]]] = None
        self.llm: Optional[LlmRecord] = None
        self._pending_scores: Optional[List[Dict[str, Any]]] = None
        self._child_cost = 0.0
        self._child_calls = 0
        self._child_unpriced = 0
        self._child_models: Optional[Dict[str, List[float]]] = None
        self._tokens: List[contextvars.Token] = []

    def __repr__(self) -> str:
        return f"<stacklens.Span {self.name!r} trace_id={self.trace_id} span_id={self.span_id}>"

    @property
    def parent_span_id(self) -> Optional[str]:
        return self.parent.span_id if self.parent is not None else None

    @property
    def ended(self) -> bool:
        return self.end_time is not None

    # -- seed 001 ---------------------------------------------------------------------------

    def record_llm(
        self,
        model: str,
        provider: str,
        input_tokens: int,
        output_tokens: int,
        total_tokens: Optional[int] = None,
        cost_usd: float = UNREPORTED_COST,
        temperature: Optional[float] = None,
        max_tokens: Optional[int] = None,
        prompt: Optional[str] = None,
        completion: Optional[str] = None,
        is_streaming: bool = False,
        finish_reason: Optional[str] = None,
        *,
        cache_read_tokens: Optional[int] = None,
        cache_write_tokens: Optional[int] = None,
        reasoning_tokens: Optional[int] = None,
    ) -> "Span":
        """Attaches an LLM call's metadata; a second call replaces the first. Leave cost_usd out
        and the collector prices the call from its tokens."""
        record = llm_record(
            "span.record_llm()", model, provider, input_tokens, output_tokens, total_tokens, cost_usd, temperature,
            max_tokens, prompt, completion, is_streaming, finish_reason, cache_read_tokens, cache_write_tokens,
            reasoning_tokens,
        )
        if not self.ended:
            self.llm = record
        return self

    def set_attribute(self, key: str, value: Any) -> "Span":
        checked = attribute_value("span.set_attribute()", key, value)
        if not self.ended:
            if self.attributes is None:
                self.attributes = {}
            self.attributes[key] = checked
        return self

    def add_tag(self, *tags: str) -> "Span":
        checked = tag_list("span.add_tag()", tags)
        if not self.ended:
            if self.tags is None:
                self.tags = []
            self.tags.extend(tag for tag in checked if tag not in self.tags)
        return self

    def set_status(self, status: str, message: Optional[str] = None) -> "Span":
        checked = check_status("span.set_status()", status)
        if message is not None and not isinstance(message, str):
            raise ValidationError("message", f"span.set_status(): the message must be a string, got {describe(message)}.")
        if not self.ended:
            self.status = checked
            self.status_message = message
        return self

    # -- beyond the seed, as in the TypeScript SDK ---------------------------------------------

    def set_kind(self, kind: str) -> "Span":
        checked = span_kind("span.set_kind()", kind)
        if not self.ended:
            self.kind = checked
        return self

    def add_event(self, name: str, attributes: Optional[Dict[str, Any]] = None) -> "Span":
        if not isinstance(name, str) or not name:
            raise ValidationError("name", f"span.add_event(): the event name must be a non-empty string, got {describe(name)}.")
        checked = attribute_map("span.add_event()", attributes)
        if not self.ended:
            self._event(name, checked)
        return self

    def score(self, name: str, value: float, reason: Optional[str] = None, *, label: Optional[str] = None) -> "Span":
        """Posts a score for this span (an eval result, user feedback), sent after the span itself."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("name", f"span.score(): the score name must be a non-empty string, got {describe(name)}.")
        if not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValidationError("value", f"span.score(): the value of score {name!r} must be a finite number, got {describe(value)}.")
        for field, given in (("reason", reason), ("label", label)):
            if given is not None and not isinstance(given, str):
                raise ValidationError(field, f"span.score(): {field} must be a string, got {describe(given)}.")
        record: Dict[str, Any] = {"trace_id": self.trace_id, "span_id": self.span_id, "name": name, "value": float(value), "source": "sdk"}
        if reason is not None:
            record["reason"] = reason
        if label is not None:
            record["label"] = label
        # a score goes out after its span, so the collector never sees a score for an unknown span
        if self.ended:
            exporter.export_score(record)
        else:
            if self._pending_scores is None:
                self._pending_scores = []
            self._pending_scores.append(record)
        return self

    # -- seed 004 rollups ----------------------------------------------------------------------

    @property
    def total_cost_usd(self) -> float:
        """Cost of this span and its ended descendants as far as the SDK knows it (calls reported
        with cost_usd); calls without one count 0 here, the collector prices them."""
        own = self.llm.cost_usd if self.llm is not None and self.llm.cost_usd is not None else 0.0
        return own + self._child_cost

    @property
    def call_count(self) -> int:
        """LLM calls in this span and its ended descendants."""
        return (1 if self.llm is not None else 0) + self._child_calls

    @property
    def unpriced_call_count(self) -> int:
        """Of those, the calls whose cost the SDK does not know."""
        return (1 if self.llm is not None and self.llm.cost_usd is None else 0) + self._child_unpriced

    def cost_breakdown(self) -> List[Dict[str, Any]]:
        """Known cost per model, most expensive first: ``[{model, cost_usd, pct, calls}]``."""
        models = self._model_totals()
        total = sum(cost for cost, _ in models.values())
        shares = [
            {
                "model": model,
                "cost_usd": cost,
                # one decimal, halves rounded up like the TypeScript SDK (round() would go to even)
                "pct": math.floor(cost / total * 1000 + 0.5) / 10 if total > 0 else 0.0,
                "calls": int(calls),
            }
            for model, (cost, calls) in models.items()
        ]
        shares.sort(key=lambda share: (-share["cost_usd"], -share["calls"], share["model"]))
        return shares

    def _model_totals(self) -> Dict[str, List[float]]:
        with _rollup_lock:
            models = {model: list(totals) for model, totals in (self._child_models or {}).items()}
        if self.llm is not None:
            own = models.setdefault(self.llm.model, [0.0, 0])
            own[0] += self.llm.cost_usd or 0.0
            own[1] += 1
        return models

    def _absorb(self, child: "Span") -> None:
        cost, calls, unpriced = child.total_cost_usd, child.call_count, child.unpriced_call_count
        models = child._model_totals() if calls else {}
        with _rollup_lock:
            self._child_cost += cost
            self._child_calls += calls
            self._child_unpriced += unpriced
            if models and self._child_models is None:
                self._child_models = {}
            for model, (model_cost, model_calls) in models.items():
                totals = self._child_models.setdefault(model, [0.0, 0])  # type: ignore[union-attr]
                totals[0] += model_cost
                totals[1] += model_calls

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> "Span":
        self._tokens.append(context.current.set(self))
        return self

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        if exc is not None and _is_failure(exc):
            self.record_error(exc)
        self.end()
        if self._tokens:
            token = self._tokens.pop()
            try:
                context.current.reset(token)
            except ValueError:
                # left in another context than entered (an async generator moved between tasks)
                context.current.set(None if token.old_value is contextvars.Token.MISSING else token.old_value)
        return False  # the exception, if any, goes on unchanged

    async def __aenter__(self) -> "Span":
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        return self.__exit__(exc_type, exc, tb)

    def record_error(self, error: BaseException) -> None:
        """Error status, its message, and an ``exception`` event (OpenTelemetry's convention)."""
        if self.ended:
            return
        kind = type(error)
        type_name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        try:
            message = str(error)
        except Exception:  # a broken __str__ must not hide the original exception
            message = ""
        self.status = "error"
        self.status_message = message or kind.__name__
        stack = "".join(traceback.format_exception(kind, error, error.__traceback__))
        self._event("exception", {"exception.type": type_name, "exception.message": message, "exception.stacktrace": stack})

    def backdate(self, duration_ms: float) -> None:
        """Makes the span start ``duration_ms`` before now (a call measured by the caller)."""
        self.start_time = now_ms() - duration_ms
        self._clock = time.perf_counter() - duration_ms / 1000.0

    def end(self) -> None:
        """Ends the span once: rolls it up into its parent and queues it for export."""
        if self.ended:
            return
        self.end_time = self.start_time + (time.perf_counter() - self._clock) * 1000.0
        if self.parent is not None:
            self.parent._absorb(self)
        exporter.export_span(self)
        pending, self._pending_scores = self._pending_scores, None
        for record in pending or ():
            exporter.export_score(record)

    def _event(self, name: str, attributes: Dict[str, Any]) -> None:
        if self.events is None:
            self.events = []
        self.events.append({"name": name, "time": now_ms(), "attributes": attributes})

    def effective_kind(self) -> str:
        """Explicit kind, else llm for a span with a model, else by position (agent root, internal)."""
        if self.kind is not None:
            return self.kind
        return "llm" if self.llm is not None else self.default_kind


def _is_failure(error: BaseException) -> bool:
    if isinstance(error, GeneratorExit):
        return False
    if isinstance(error, SystemExit):
        return error.code not in (None, 0)
    return True
