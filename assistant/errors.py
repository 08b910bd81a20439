"""User-facing errors.

Every error a user can cause or fix is an :class:`AssistantError`. The edges turn them into
messages: the CLI into one line and an exit code, the HTTP API into a 4xx JSON body, the UI
into a notice. Anything else is a bug and is reported as such.
"""

from __future__ import annotations


class AssistantError(Exception):
    """An error the user can act on; ``str(error)`` is the whole message."""

    exit_code = 1
    http_status = 400


class UsageError(AssistantError):
    """Bad arguments or options (CLI exit status 2)."""

    exit_code = 2


class ConfigError(AssistantError):
    """A setting has a bad value, or a configured component cannot be built."""

    exit_code = 2


class InputError(AssistantError):
    """A question, filter or upload that cannot be accepted (HTTP 400/413/415)."""


class TooLargeError(InputError):
    """An input over a stated size limit."""

    http_status = 413


class UnsupportedTypeError(InputError):
    """A file type the assistant does not read."""

    http_status = 415


class NotFoundError(AssistantError):
    """A document or resource that does not exist."""

    http_status = 404


class DocumentError(AssistantError):
    """One input document could not be read; names the file."""


class IndexBusyError(AssistantError):
    """Another process holds the index write lock."""

    http_status = 409


class GeneratorError(AssistantError):
    """The configured answer generator (an LLM) failed or is unreachable."""

    http_status = 502
