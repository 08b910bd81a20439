"""Cloud-market research assistant: grounded answers with citations over your articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Assistant", "Settings"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.settings import Settings


def __getattr__(name: str) -> Any:
    # Lazy, so `assistant --help` and light imports never load torch or Chroma.
    if name == "Assistant":
        from assistant.core import Assistant

        return Assistant
    if name == "Settings":
        from assistant.settings import Settings

        return Settings
    raise AttributeError(name)
