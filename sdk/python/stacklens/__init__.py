"""StackLens: every LLM call and agent step of your Python program, shown in VS Code above the
code that made it. Seed 001's API (configure, trace, start_trace, prompts.get), seed 004's cost
rollups, @traced, and a batched background export. Standard library only; see README.md."""
from . import prompts
from .config import DEFAULT_ENDPOINT, configure
from .errors import ApiError, AuthError, ConfigurationError, StackLensError, ValidationError
from .exporter import ExportStats, export_stats, flush, shutdown
from .spans import Span
from .decorator import traced
from .tracer import current_span, span, start_trace, trace

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ENDPOINT",
    "ApiError",
    "AuthError",
    "ConfigurationError",
    "ExportStats",
    "Span",
    "StackLensError",
    "ValidationError",
    "configure",
    "current_span",
    "export_stats",
    "flush",
    "prompts",
    "shutdown",
    "span",
    "start_trace",
    "trace",
    "traced",
]
