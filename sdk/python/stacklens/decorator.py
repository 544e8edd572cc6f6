"""@traced: every call of a function (sync or async) runs in a span, a child of the running span.
The call site recorded is the function's definition, read once when decorating: every run then
counts for the same CodeLens, and calling costs no frame inspection."""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, overload

from . import context
from .call_site import definition
from .config import describe
from .errors import ValidationError
from .tracer import open_span
from .validate import span_kind

F = TypeVar("F", bound=Callable[..., Any])


@overload
def traced(fn: F) -> F: ...


@overload
def traced(fn: Optional[str] = None, *, name: Optional[str] = None, kind: Optional[str] = None) -> Callable[[F], F]: ...


def traced(fn: Union[Callable[..., Any], str, None] = None, *, name: Optional[str] = None, kind: Optional[str] = None) -> Any:
    """Decorates a function so each call is a span named after it (``Class.method`` for methods).

    ``@traced``, ``@traced()``, ``@traced("retrieve")`` or ``@traced(name="retrieve", kind="retrieval")``.
    """
    if isinstance(fn, str):
        if name is not None:
            raise ValidationError("name", "traced(): give the span name once, either as the first argument or as name=.")
        fn, name = None, fn
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ValidationError("name", f"traced(): name must be a non-empty string, got {describe(name)}.")
    if kind is not None:
        span_kind("traced()", kind)
    if fn is None:
        return lambda function: _wrap(function, name, kind)
    return _wrap(fn, name, kind)


def _wrap(fn: Any, name: Optional[str], kind: Optional[str]) -> Any:
    if isinstance(fn, (classmethod, staticmethod)):
        # @traced above @classmethod / @staticmethod: trace the function inside, keep the binding
        return type(fn)(_wrap(fn.__func__, name, kind))
    if not callable(fn):
        raise ValidationError("fn", f"@traced decorates functions and methods, got {describe(fn)}.")
    if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
        raise ValidationError(
            "fn",
            f"@traced cannot trace the generator {getattr(fn, '__qualname__', fn)!r}: its span would end before the "
            "first item. Trace the code that consumes it, or a function that collects its items.",
        )
    site = definition(fn)
    span_name = name or getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "anonymous"
    where = f"traced function {span_name}"

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def traced_coroutine(*args: Any, **kwargs: Any) -> Any:
            with open_span(where, span_name, context.current.get(), "internal", site, kind):
                return await fn(*args, **kwargs)

        return traced_coroutine

    @functools.wraps(fn)
    def traced_function(*args: Any, **kwargs: Any) -> Any:
        with open_span(where, span_name, context.current.get(), "internal", site, kind):
            return fn(*args, **kwargs)

    return traced_function
