"""The SDK's exceptions (seed 001 "Exceptions"). Every message says what failed, why, and what to do."""
from __future__ import annotations


class StackLensError(Exception):
    """Base class of every exception the SDK raises."""


class ConfigurationError(StackLensError):
    """Tracing was attempted with no endpoint or API key known (no configure(), no environment)."""


class ValidationError(StackLensError, ValueError):
    """An argument of an SDK call is missing or has the wrong type; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AuthError(StackLensError):
    """The collector refused the API key (HTTP 401/403)."""

    def __init__(self, message: str, status_code: int = 401) -> None:
        super().__init__(message)
        self.status_code = status_code


class ApiError(StackLensError):
    """The collector answered with an error status, or could not be reached (``status_code`` 0)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
