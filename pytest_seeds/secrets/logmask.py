"""Log records with every known secret masked, whoever logs them.

urllib3 logs URLs (query strings included, redirect targets too) and retry causes; a
conftest may log what it likes. A log record factory masks each record's message,
traceback and stack text as it is created, so every handler (pytest's captured log, live
``log_cli`` output, ``--log-file``, JUnit) only ever sees the masked text. Values under a
secret name (``access_token=...``, ``Authorization: ...``) are masked even before the run
has seen them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pytest_seeds.secrets.redact import Redactor


def install(redactor: Redactor) -> Callable[[], None]:
    """Mask all log records from now on; returns the function that undoes it."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs), redactor)

    logging.setLogRecordFactory(factory)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

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
        record.exc_text = redactor.text(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redactor.text(record.stack_info)
    return record
