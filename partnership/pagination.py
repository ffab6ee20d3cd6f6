"""Keyset pagination for lists too big to COUNT (the access log, all referrals of a provider).

A page is found by where the last one ended, not by an OFFSET: the database reads one index
range of `size + 1` rows whatever page is asked for, and no page needs the list's total. The
cursor in the URL holds only the ordering values of a boundary row (a time and a row id),
never anything about a child.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

AFTER = "efter"
BEFORE = "fore"


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def encode_cursor(values: list) -> str:
    """A boundary row's ordering values as a URL-safe cursor."""
    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value for value in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fields: list) -> list | None:
    """The values of a cursor, each through its model field; None for one that does not parse."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [field.to_python(value) for field, value in zip(fields, values, strict=True)]
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeDecodeError):
        return None  # a tampered or outdated cursor: start from the first page


def _beyond(names: list[str], descending: list[bool], values: list) -> Q:
    """Rows that come after `values` in the ordering: (a, b) past (va, vb), written as
    a past va, or a = va and b past vb, so that an index on (a, b) serves it."""
    conditions = []
    for index, name in enumerate(names):
        equal = {names[i]: values[i] for i in range(index)}
        lookup = "lt" if descending[index] else "gt"
        conditions.append(Q(**equal, **{f"{name}__{lookup}": values[index]}))
    return reduce(or_, conditions)


def keyset_page(queryset: QuerySet, *, ordering: list[str], params, size: int) -> KeysetPage:
    """One page of the queryset in `ordering` (which must end in a unique field, e.g. "-pk").

    `params` is request.GET: `efter` holds the cursor of the page before, `fore` that of the page
    after (going back). A cursor that does not parse starts from the first page.
    """
    names = [name.lstrip("-") for name in ordering]
    descending = [name.startswith("-") for name in ordering]
    model_fields = [queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name) for name in names]
    going_back = bool(params.get(BEFORE))
    cursor = params.get(BEFORE) or params.get(AFTER) or ""
    values = decode_cursor(cursor, model_fields) if cursor else None
    if values is None:
        going_back = False
    if going_back:
        reverse = [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]
        rows = list(queryset.filter(_beyond(names, [not d for d in descending], values)).order_by(*reverse)[: size + 1])  # type: ignore[arg-type]
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_previous, has_next = has_more_before, True
    else:
        if values is not None:
            queryset = queryset.filter(_beyond(names, descending, values))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = values is not None

    def cursor_of(row) -> str:
        return encode_cursor([getattr(row, name) for name in names])

    return KeysetPage(
        object_list=rows,
        next_cursor=cursor_of(rows[-1]) if has_next and rows else None,
        previous_cursor=cursor_of(rows[0]) if has_previous and rows else None,
    )
