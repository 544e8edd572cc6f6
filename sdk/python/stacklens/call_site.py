"""The place in the user's code a span comes from (code_file, code_line, code_function), which
is how CodeLens finds the line. Reading the caller's frame costs well under a microsecond, so it
is done on every call; a traced function's place is its definition, read once."""
from __future__ import annotations

import os
import sys
from typing import Callable, Dict, NamedTuple, Optional

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_paths: Dict[str, Optional[str]] = {}


class CallSite(NamedTuple):
    file: Optional[str]
    line: Optional[int]
    function: Optional[str]


def _absolute(filename: str) -> Optional[str]:
    path = _paths.get(filename, "")
    if path == "":
        # "<stdin>", "<string>": no file an editor could open
        path = None if filename.startswith("<") else os.path.abspath(filename)
        _paths[filename] = path
    return path


def caller(depth: int) -> Optional[CallSite]:
    """The frame ``depth`` levels above the function calling this, skipping the SDK's own frames."""
    try:
        frame = sys._getframe(depth + 1)
    except ValueError:
        return None
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    code = frame.f_code
    path = _absolute(code.co_filename)
    # co_qualname (3.11+) says Class.method; older versions know only the bare name
    return CallSite(path, frame.f_lineno if path else None, getattr(code, "co_qualname", code.co_name))


def definition(fn: Callable[..., object]) -> CallSite:
    """Where a function is defined: its first decorator's line (Python 3.8+), else its def."""
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if code is None:
        return CallSite(None, None, name)
    path = _absolute(code.co_filename)
    return CallSite(path, code.co_firstlineno if path else None, name)
