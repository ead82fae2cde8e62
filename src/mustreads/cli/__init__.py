"""The command line: parse, call the library, print. Nothing else lives here."""

from __future__ import annotations

import sys

from mustreads.cli.app import app
from mustreads.errors import MustreadsError


def main() -> None:
    """Console entry point: library errors become one line on stderr and an exit code."""
    try:
        app()
    except MustreadsError as exc:
        print(f"mustreads: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("mustreads: interrupted", file=sys.stderr)
        sys.exit(130)


__all__ = ["app", "main"]
