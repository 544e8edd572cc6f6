"""Starting spans: the one-line trace(), start_trace() for a run, span() for its steps. A span
entered with ``with`` is the parent of the spans started inside the block (see context.py)."""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

from . import call_site, context
from .call_site import CallSite
from .config import current_config, describe
from .errors import ValidationError
from .spans import Span
from .validate import UNREPORTED_COST, attribute_map, llm_record, span_kind, span_name, status as check_status, tag_list


def current_span() -> Optional[Span]:
    """The span whose ``with`` block is running, if any."""
    return context.current.get()


def open_span(
    where: str,
    name: Any,
    parent: Optional[Span],
    default_kind: str,
    site: Optional[CallSite],
    kind: Any = None,
    attributes: Any = None,
    tags: Any = None,
) -> Span:
    """A new span (not yet entered). Raises ConfigurationError when the SDK is not configured."""
    span_name(where, name)
    checked_kind = span_kind(where, kind) if kind is not None else None
    checked_attributes = attribute_map(where, attributes) if attributes is not None else None
    checked_tags = tag_list(where, tags) if tags is not None else None
    current_config()
    span = Span(name, parent, "internal" if parent is not None else default_kind, site)
    span.kind = checked_kind
    if checked_attributes:
        span.attributes = checked_attributes
    if checked_tags:
        span.tags = checked_tags
    return span


def start_trace(name: str, *, kind: Optional[str] = None, attributes: Optional[Dict[str, Any]] = None, tags: Optional[List[str]] = None) -> Span:
    """The root span of a new trace (seed 001), for a ``with`` block::

        with stacklens.start_trace("agent-run") as span:
            span.record_llm(model="gpt-4o", provider="openai", input_tokens=200, output_tokens=150)

    An exception leaving the block marks the span ``error`` (message and an ``exception`` event)
    and goes on unchanged. The span is sent when the block ends.
    """
    return open_span("start_trace()", name, None, "agent", call_site.caller(1), kind, attributes, tags)


def span(
    name: str,
    *,
    parent: Optional[Span] = None,
    kind: Optional[str] = None,
    attributes: Optional[Dict[str, Any]] = None,
    tags: Optional[List[str]] = None,
) -> Span:
    """A child of the running span (or of ``parent``), for a ``with`` block; a new trace when
    none runs. Its cost and calls roll up into the parent when it ends (seed 004)."""
    if parent is not None and not isinstance(parent, Span):
        raise ValidationError("parent", f"span(): parent must be a span from start_trace() or span(), got {describe(parent)}.")
    return open_span("span()", name, parent if parent is not None else context.current.get(), "internal", call_site.caller(1), kind, attributes, tags)


def trace(
    name: str,
    *,
    model: str,
    provider: str,
    input_tokens: int,
    output_tokens: int,
    total_tokens: Optional[int] = None,
    cost_usd: float = UNREPORTED_COST,
    attributes: Optional[Dict[str, Any]] = None,
    tags: Optional[List[str]] = None,
    status: str = "ok",
    status_message: Optional[str] = None,
    duration_ms: Optional[float] = None,
    temperature: Optional[float] = None,
    max_tokens: Optional[int] = None,
    prompt: Optional[str] = None,
    completion: Optional[str] = None,
    is_streaming: bool = False,
    finish_reason: Optional[str] = None,
    cache_read_tokens: Optional[int] = None,
    cache_write_tokens: Optional[int] = None,
    reasoning_tokens: Optional[int] = None,
) -> str:
    """Records one LLM call as a span (seed 001) and returns its trace id. Inside a running span
    it becomes that span's child, in the same trace. Leave cost_usd out and the collector prices
    the call from its tokens. ``duration_ms``: how long the call took, when you measured it."""
    where = "trace()"
    span_name(where, name)
    record = llm_record(
        where, model, provider, input_tokens, output_tokens, total_tokens, cost_usd, temperature, max_tokens, prompt,
        completion, is_streaming, finish_reason, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    )
    checked_status = check_status(where, status)
    if status_message is not None and not isinstance(status_message, str):
        raise ValidationError("status_message", f"{where}: status_message must be a string, got {describe(status_message)}.")
    if duration_ms is not None and (isinstance(duration_ms, bool) or not isinstance(duration_ms, (int, float)) or not math.isfinite(duration_ms) or duration_ms < 0):
        raise ValidationError("duration_ms", f"{where}: duration_ms must be a number ≥ 0 (milliseconds), got {describe(duration_ms)}.")
    one = open_span(where, name, context.current.get(), "llm", call_site.caller(1), None, attributes, tags)
    one.llm = record
    one.status = checked_status
    one.status_message = status_message
    if duration_ms is not None:
        one.backdate(duration_ms)
    one.end()
    return one.trace_id
