"""Checks what callers hand to trace() / record_llm() / set_attribute(): a bad value is refused
at the call with an error naming the field, instead of a 400 from the collector later that
would cost the whole batch."""
from __future__ import annotations

import json
import math
import numbers
from typing import Any, Dict, Iterable, List, Optional

from .config import describe
from .errors import ValidationError

SPAN_KINDS = ("agent", "llm", "tool", "retrieval", "embedding", "eval", "internal")


class _UnreportedCost(float):
    """Seed 001's ``cost_usd=0.0`` default, told apart from a cost of 0.0 the caller reports:
    left at the default, the call goes out without a cost so the collector prices its tokens."""

    def __repr__(self) -> str:
        return "0.0"


UNREPORTED_COST: float = _UnreportedCost(0.0)


class LlmRecord:
    """One LLM call, as seed 001's record_llm() describes it."""

    __slots__ = (
        "model", "provider", "input_tokens", "output_tokens", "total_tokens", "cost_usd", "temperature",
        "max_tokens", "prompt", "completion", "is_streaming", "finish_reason", "cache_read_tokens",
        "cache_write_tokens", "reasoning_tokens",
    )

    def __init__(self, **fields: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, fields[name])


def llm_record(
    where: str,
    model: Any,
    provider: Any,
    input_tokens: Any,
    output_tokens: Any,
    total_tokens: Any = None,
    cost_usd: Any = UNREPORTED_COST,
    temperature: Any = None,
    max_tokens: Any = None,
    prompt: Any = None,
    completion: Any = None,
    is_streaming: Any = False,
    finish_reason: Any = None,
    cache_read_tokens: Any = None,
    cache_write_tokens: Any = None,
    reasoning_tokens: Any = None,
) -> LlmRecord:
    inputs = _count(where, "input_tokens", input_tokens, required=True)
    outputs = _count(where, "output_tokens", output_tokens, required=True)
    total = _count(where, "total_tokens", total_tokens)
    return LlmRecord(
        model=_text(where, "model", model, required=True),
        provider=_text(where, "provider", provider, required=True),
        input_tokens=inputs,
        output_tokens=outputs,
        total_tokens=total if total is not None else inputs + outputs,
        cost_usd=None if cost_usd is UNREPORTED_COST else _amount(where, "cost_usd", cost_usd),
        temperature=_finite(where, "temperature", temperature),
        max_tokens=_count(where, "max_tokens", max_tokens),
        prompt=_content(where, "prompt", prompt),
        completion=_content(where, "completion", completion),
        is_streaming=_flag(where, "is_streaming", is_streaming),
        finish_reason=_text(where, "finish_reason", finish_reason),
        cache_read_tokens=_count(where, "cache_read_tokens", cache_read_tokens),
        cache_write_tokens=_count(where, "cache_write_tokens", cache_write_tokens),
        reasoning_tokens=_count(where, "reasoning_tokens", reasoning_tokens),
    )


def _wrong(where: str, field: str, expected: str, value: Any) -> ValidationError:
    return ValidationError(field, f"{where}: {field} must be {expected}, got {describe(value)}.")


def _text(where: str, field: str, value: Any, required: bool = False) -> Optional[str]:
    if value is None:
        if required:
            raise ValidationError(field, f"{where}: {field} is required (a non-empty string).")
        return None
    if not isinstance(value, str) or value == "":
        raise _wrong(where, field, "a non-empty string", value)
    return value


def _count(where: str, field: str, value: Any, required: bool = False) -> Optional[int]:
    if value is None:
        if required:
            raise ValidationError(field, f"{where}: {field} is required (an integer ≥ 0).")
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise _wrong(where, field, "an integer ≥ 0", value)
    return int(value)


def _amount(where: str, field: str, value: Any) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise _wrong(where, field, "a number ≥ 0 (US dollars)", value)
    return float(value)


def _finite(where: str, field: str, value: Any) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise _wrong(where, field, "a finite number", value)
    return float(value)


def _flag(where: str, field: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _wrong(where, field, "True or False", value)
    return value


def _content(where: str, field: str, value: Any) -> Optional[str]:
    """Plain text, or a message list / dict kept as its JSON text (what the collector expects)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, dict)):
        try:
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ValidationError(field, f"{where}: {field} cannot be turned into JSON ({error}); pass text or plain data.") from None
    raise _wrong(where, field, "a string (or a list of messages)", value)


def span_name(where: str, name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            "name", f"{where}: the first argument is the span's name and must be a non-empty string, got {describe(name)}."
        )
    return name


def span_kind(where: str, kind: Any) -> str:
    if kind not in SPAN_KINDS:
        raise ValidationError("kind", f"{where}: kind must be one of {', '.join(SPAN_KINDS)}; got {describe(kind)}.")
    return kind


def status(where: str, value: Any) -> str:
    if value not in ("ok", "error"):
        raise ValidationError("status", f'{where}: status must be "ok" or "error", got {describe(value)}.')
    return value


def tag_list(where: str, tags: Iterable[Any]) -> List[str]:
    if isinstance(tags, str):
        raise ValidationError("tags", f"{where}: tags must be a list of strings, not one string {describe(tags)}.")
    checked = []
    for tag in tags:
        if not isinstance(tag, str) or tag == "":
            raise ValidationError("tags", f"{where}: tags must be non-empty strings, got {describe(tag)}.")
        if tag not in checked:
            checked.append(tag)
    return checked


def attribute_value(where: str, key: Any, value: Any) -> Any:
    """A value fit for JSON. Lists and dicts are copied, so later changes to the caller's object
    do not alter what was recorded, and one that JSON cannot hold is refused here rather than
    failing the export of a whole batch."""
    if not isinstance(key, str) or key == "":
        raise ValidationError("key", f"{where}: the attribute key must be a non-empty string, got {describe(key)}.")
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, (list, tuple, dict)):
        try:
            return json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError) as error:
            raise ValidationError(
                key, f"{where}: attribute {key!r} cannot be turned into JSON ({error}); pass plain data."
            ) from None
    raise ValidationError(
        key,
        f"{where}: attribute {key!r} must be a str, int, float, bool, None, list or dict, got {describe(value)}; "
        "convert it first (str(value)).",
    )


def attribute_map(where: str, attributes: Any) -> Dict[str, Any]:
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise ValidationError("attributes", f"{where}: attributes must be a dict of key → value, got {describe(attributes)}.")
    return {key: attribute_value(where, key, value) for key, value in attributes.items()}
