"""A finished span in the simple span form (docs/simple-span-format.md), snake_case. Fields the
SDK does not know are left out, so the collector applies its defaults; in particular a cost is
sent only when the caller reported one."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict

if TYPE_CHECKING:
    from .config import Config
    from .spans import Span

_OPTIONAL_LLM_FIELDS = (
    "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "temperature", "max_tokens", "prompt",
    "completion", "finish_reason",
)


def to_wire(span: "Span", config: "Config") -> Dict[str, Any]:
    end_time = span.end_time if span.end_time is not None else span.start_time
    wire: Dict[str, Any] = {
        "name": span.name,
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "kind": span.effective_kind(),
        "start_time": span.start_time,
        "end_time": end_time,
        "status": span.status or "ok",
    }
    if span.parent is not None:
        wire["parent_span_id"] = span.parent.span_id
    if span.status_message is not None:
        wire["status_message"] = span.status_message
    llm = span.llm
    if llm is not None:
        wire["model"] = llm.model
        wire["provider"] = llm.provider
        wire["input_tokens"] = llm.input_tokens
        wire["output_tokens"] = llm.output_tokens
        wire["total_tokens"] = llm.total_tokens
        for field in _OPTIONAL_LLM_FIELDS:
            value = getattr(llm, field)
            if value is not None:
                wire[field] = value
        if llm.is_streaming:
            wire["is_streaming"] = True
    if span.attributes:
        wire["attributes"] = span.attributes
    if span.tags:
        wire["tags"] = span.tags
    if span.events:
        wire["events"] = span.events
    site = span.call_site
    if site is not None:
        if site.file is not None:
            wire["code_file"] = site.file
            wire["code_line"] = site.line
        if site.function:
            wire["code_function"] = site.function
    if config.service_name:
        wire["service_name"] = config.service_name
    return wire
