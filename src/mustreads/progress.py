"""How long-running stages report progress, without knowing who listens.

The CLI passes a rich progress bar; the web app and the tests pass nothing.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, task: str, total: int) -> None:
        """A task begins with ``total`` items (0 when unknown)."""

    def advance(self, task: str, amount: int = 1) -> None:
        """``amount`` more items of ``task`` are done."""


class NoProgress:
    def start(self, task: str, total: int) -> None:
        pass

    def advance(self, task: str, amount: int = 1) -> None:
        pass
