"""The running span. A ContextVar follows asyncio tasks (each task starts with a copy of its
creator's context, so children of asyncio.gather get the right parent) and stays apart per
thread (a new thread starts empty unless run in copy_context()), with nothing passed by hand."""
from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .spans import Span

current: "ContextVar[Optional[Span]]" = ContextVar("stacklens_current_span", default=None)
