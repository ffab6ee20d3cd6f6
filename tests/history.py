"""Reading the change history (partnership/history.py) in tests: what a change was, in one line."""

import datetime
from dataclasses import dataclass
from typing import Any

from partnership import history


@dataclass(frozen=True)
class Change:
    old: Any
    new: Any
    by: Any
    reason: str
    at: datetime.datetime


def changes_of(obj, field: str) -> list[Change]:
    """The object's changes of this field, oldest first (the old value of a creation is None)."""
    changes = []
    for entry in history.entries_for(type(obj), [obj.pk]):
        pair = history.change_of(entry, field)
        if pair is not None:
            changes.append(Change(pair[0], pair[1], entry.actor, history.reason_of(entry), entry.timestamp))
    return changes


def status_changes(obj) -> list[Change]:
    return changes_of(obj, "status")
