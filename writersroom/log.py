"""Logging filters (settings.LOGGING)."""

from __future__ import annotations

import logging


class ForbiddenOneLine(logging.Filter):
    """A 403 is someone's role saying no, not a fault: log its one line, without the traceback
    Django attaches to "Forbidden (Permission denied)" (a viewer poking at an edit URL would otherwise
    fill the log with stack traces)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
