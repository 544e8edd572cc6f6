"""Prompts kept in StackLens (seed 001 ``stacklens.prompts.get``): the collector serves them per
environment from its prompts folder (``stacklens serve --prompts DIR``)."""
from __future__ import annotations

import json
from urllib.parse import quote

from . import transport
from .config import current_config, describe
from .errors import ApiError, AuthError, ValidationError

ENVS = ("dev", "staging", "production")


def get(name: str, *, env: str = "production") -> str:
    """The active text of the prompt ``name`` for ``env`` ("dev", "staging" or "production")."""
    if not isinstance(name, str) or not name:
        raise ValidationError("name", f"prompts.get(): the prompt name must be a non-empty string, got {describe(name)}.")
    if env not in ENVS:
        raise ValidationError("env", f"prompts.get(): env must be one of {', '.join(ENVS)}, got {describe(env)}.")
    config = current_config()
    url = config.url(f"api/v1/prompts/{quote(name, safe='')}?env={env}")
    try:
        reply = transport.request("GET", url, config.api_key, None, config.export.timeout_ms / 1000.0, config.loopback)
    except transport.Unreachable as error:
        raise ApiError(
            0, f"Could not fetch prompt {name!r}: the StackLens collector at {config.origin} did not answer ({error}). Is it running?"
        ) from None
    if reply.status in (401, 403):
        raise AuthError(
            f"The StackLens collector at {config.origin} refused the API key while fetching prompt {name!r} "
            f"(HTTP {reply.status}: {transport.reason(reply)}). Check STACKLENS_API_KEY or stacklens.configure(api_key=...).",
            reply.status,
        )
    if reply.status == 404:
        raise ApiError(
            404,
            f"No prompt {name!r} for env {env} on the StackLens collector at {config.origin} ({transport.reason(reply)}). "
            "Add it to the collector's prompts folder, or check the name and env.",
        )
    if not 200 <= reply.status < 300:
        raise ApiError(reply.status, f"Fetching prompt {name!r} failed: the StackLens collector answered HTTP {reply.status}: {transport.reason(reply)}")
    try:
        text = json.loads(reply.body).get("text")
    except (ValueError, AttributeError):
        text = None
    if not isinstance(text, str):
        raise ApiError(reply.status, f"The answer for prompt {name!r} has no \"text\" string; is {config.origin} a StackLens collector?")
    return text
