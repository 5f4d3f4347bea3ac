"""Log records with every known secret masked before pytest's handlers write them.

urllib3 logs URLs (query strings included) and retry causes; a conftest may log what it
likes. A filter on each of pytest's own log handlers (captured logs, live ``log_cli``
output, ``--log-file``, ``caplog``) masks a record's message, traceback and stack text
before the handler formats it, so what pytest shows or writes is masked. Nothing
process-wide changes: the log record factory, the loggers and other handlers are left
as they are, and the filters go when the run ends. Values under a
secret name (``access_token=...``, ``Authorization: ...``) are masked even before the run
has seen them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from pytest_seeds.secrets.redact import Redactor


class MaskingFilter(logging.Filter):
    """Masks each record a handler is about to write; never drops one."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record, self.redactor)
        return True


def install(redactor: Redactor, handlers: Iterable[logging.Handler]) -> Callable[[], None]:
    """Mask the records these handlers write from now on; returns the function that undoes it."""
    masking = MaskingFilter(redactor)
    handlers = list(handlers)
    for handler in handlers:
        handler.addFilter(masking)

    def uninstall() -> None:
        for handler in handlers:
            handler.removeFilter(masking)

    return uninstall


def mask_record(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """The record with its message (arguments merged in), traceback and stack masked."""
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not fit its format: logging reports it
        return record
    masked = redactor.text(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:  # formatted here, or earlier by another handler
        record.exc_text = redactor.text(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor.text(record.stack_info)
    return record
