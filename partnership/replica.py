"""Reports may read from a PostgreSQL read replica (config/routers.py, DATABASE_REPLICA_URL).

A report's reads are many, long and tolerant of a replica's second of lag; everything else reads
and writes the primary, so that a user always sees what they just saved. Code that builds a report
wraps its reads in `report_reads()`; without a replica configured this changes nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def report_reads() -> Iterator[None]:
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def in_report_reads() -> bool:
    return _reading_reports.get()
