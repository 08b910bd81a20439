"""The Gradio web chat over an :class:`assistant.core.Assistant` (see :func:`ui.app.build_app`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["build_app"]

if TYPE_CHECKING:
    from ui.app import build_app


def __getattr__(name: str) -> Any:
    # Lazy, so importing the package does not import Gradio.
    if name == "build_app":
        from ui.app import build_app

        return build_app
    raise AttributeError(name)
