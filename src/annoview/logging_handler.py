"""`rr.LoggingHandler`: Python `logging` records as `TextLog` entries, as Rerun's handler does.

Each record goes to the entity `<path_prefix>/<module that logged>` with its message and its
level name (WARNING is written "WARN", as Rerun's TextLogLevel names it; other levels by their
`logging` name, e.g. "Level 5").
"""
from __future__ import annotations

import logging
LVL2NAME = {logging.CRITICAL: "CRITICAL", logging.ERROR: "ERROR", logging.WARNING: "WARN", logging.INFO: "INFO",
            logging.DEBUG: "DEBUG"}


class LoggingHandler(logging.Handler):
    """Forward `logging` records to the current recording as TextLog entries."""

    LVL2NAME = LVL2NAME

    def __init__(self, path_prefix: str | None = None) -> None:
        super().__init__()
        self.path_prefix = path_prefix

    def emit(self, record: logging.LogRecord) -> None:
        import annoview

        try:
            level = LVL2NAME.get(record.levelno) or logging.getLevelName(record.levelno)
            path = record.module if self.path_prefix is None else f"{self.path_prefix}/{record.module}"
            annoview.log(path, annoview.TextLog(record.getMessage(), level=level))
        except Exception:  # a logging handler must never raise into the code that logged
            self.handleError(record)

    def __repr__(self) -> str:
        return f"LoggingHandler({self.path_prefix!r})"
