"""What the groups app keeps about a child, for purging and for the return dossier (IOP 2.3).

Any groups model with a foreign key to the referral, or to one of its placements, holds data about
the child: a new model (visits, attendance, reminders) is covered without a change here. Purging
blanks its files and its free text; the rows stay as the anonymous record of the group.
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from functools import reduce
from operator import or_
from typing import cast

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from partnership.setbased import AmongIds, update_returning
from referrals.models import Referral
from referrals.purge import purge_counts_add

from .models import Placement


def _referral_paths() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every groups model holding data about a child, with the paths from it to the referral."""
    for model in apps.get_app_config("groups").get_models():
        paths = []
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if field.related_model is Referral:
                paths.append(field.attname)
            elif field.related_model is Placement:
                paths.append(f"{field.name}__referral_id")
        if paths:
            yield model, paths


def group_rows_for(referral: Referral) -> Iterator[tuple[type[models.Model], QuerySet]]:
    """Every groups model with rows about this child, and those rows."""
    for model, paths in _referral_paths():
        conditions = models.Q()
        for path in paths:
            conditions |= models.Q(**{path: referral.pk})
        yield model, model._default_manager.filter(conditions)


def _fields_of(model, kind) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, kind)]


def purge_group_records(referral_ids: list[int], counts: dict, files: dict) -> None:
    """A purge step (referrals/purge.py): the children's files in group records go after the
    commit, and the free text of the records (notes, reasons) is cleared. Per model one UPDATE for
    the whole batch, which also returns whose rows it cleared (and a query before it for files);
    `group_records` counts each child's records whose text was cleared."""
    # A record about a placement is about the placement's child.
    placements = dict(
        Placement.objects.filter(AmongIds("referral_id", referral_ids)).order_by().values_list("pk", "referral_id")
    )
    cleared: Counter[int] = Counter()
    for model, paths in _referral_paths():
        for path in paths:
            key = path.removesuffix("__referral_id")
            if key == path:
                ids, child_of = referral_ids, None
            else:
                key = cast(models.ForeignKey, model._meta.get_field(key)).attname
                ids, child_of = list(placements), placements
            if not ids:
                continue
            rows = model._default_manager.filter(AmongIds(key, ids))
            for field in _fields_of(model, models.FileField):
                stored = list(rows.exclude(**{field: ""}).values_list(key, field))
                for row_key, name in stored:
                    files[child_of[row_key] if child_of else row_key].append(name)
                if stored:
                    rows.exclude(**{field: ""}).update(**{field: ""})
            text_fields = _fields_of(model, models.TextField)
            if not text_fields:
                continue
            with_text = rows.filter(reduce(or_, (~models.Q(**{name: ""}) for name in text_fields)))
            for (row_key,) in update_returning(with_text, dict.fromkeys(text_fields, ""), key):
                cleared[child_of[row_key] if child_of else row_key] += 1
    purge_counts_add(counts, "group_records", cleared)


def group_records_for_dossier(referral: Referral) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """The return dossier's sections from the groups app: every record about the child, field by field."""
    sections = []
    for model, rows in group_rows_for(referral):
        fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in ("created_at", "updated_at", "public_id")
        ]
        records = [
            [(str(field.verbose_name), _display(row, field)) for field in fields]
            for row in rows.select_related(*[field.name for field in fields if field.is_relation])
        ]
        sections.append((str(model._meta.verbose_name_plural), records))
    return sections


def _display(row, field) -> str:
    if field.choices:
        return getattr(row, f"get_{field.name}_display")()
    value = getattr(row, field.name)
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)
