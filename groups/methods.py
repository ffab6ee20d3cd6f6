"""The method library (issue 16): group programmes with their target group, ages, format and
manual versions, and which groups follow which method. The city's coordinator keeps the library
(the coordination's proposal: get manuals written and spread for the areas that lack them); a
provider's operations manager names the method a group follows."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from partnership.models import TargetGroup
from partnership.uploads import stored_document

from .models import GroupStatus, Method, MethodManual, SupportGroup

# --- Reads ---------------------------------------------------------------------------------------


def method_library() -> QuerySet[Method]:
    """Every method with its target group, its manuals newest first, and how many groups (not
    cancelled) follow it: one query for the methods, one for the manuals."""
    return (
        Method.objects.select_related("target_group")
        .prefetch_related(Prefetch("manuals", queryset=MethodManual.objects.order_by("-published_on", "-pk")))
        .annotate(group_count=Count("groups", filter=~Q(groups__status=GroupStatus.CANCELLED), distinct=True))
        .order_by("target_group__name", "name")
    )


def target_groups_without_manual() -> QuerySet[TargetGroup]:
    """The areas with no method that has a manual: the coordinator's list of manuals to get written."""
    manuals = MethodManual.objects.filter(method__target_group=OuterRef("pk"))
    return TargetGroup.objects.exclude(Exists(manuals)).order_by("name")


def groups_following(method: Method) -> QuerySet[SupportGroup]:
    return (
        method.groups.exclude(status=GroupStatus.CANCELLED)
        .select_related("agreement__provider")
        .order_by("-starts_on", "name")
    )


# --- Writes --------------------------------------------------------------------------------------


@transaction.atomic
def method_create(
    *,
    name: str,
    target_group: TargetGroup,
    min_age: int,
    max_age: int,
    format: str,
    description: str = "",
    origin: str = "",
    by,
) -> Method:
    if min_age > max_age:
        raise ValidationError({"max_age": _("Högsta ålder kan inte vara lägre än lägsta ålder.")}, code="ages")
    if Method.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("Det finns redan en metod med det namnet.")}, code="name")
    return Method.objects.create(
        name=name.strip(),
        target_group=target_group,
        min_age=min_age,
        max_age=max_age,
        format=format.strip(),
        description=description.strip(),
        origin=origin.strip(),
    )


@transaction.atomic
def method_manual_add(
    *, method: Method, version: str, published_on: datetime.date, document, changes: str = "", by
) -> MethodManual:
    """A new version of the method's manual; the earlier versions stay in the library."""
    try:
        with transaction.atomic():
            return MethodManual.objects.create(
                method=method,
                version=version.strip(),
                published_on=published_on,
                document=stored_document(document, stem="manual"),
                changes=changes.strip(),
                uploaded_by=by,
            )
    except IntegrityError as error:
        raise ValidationError({"version": _("Den versionen finns redan.")}, code="version") from error


@transaction.atomic
def group_method_set(*, group: SupportGroup, method: Method | None, by) -> SupportGroup:
    """Name the method a group follows (or none); it must be a method for the group's target group."""
    group = SupportGroup.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=group.pk)
    if method is not None and method.target_group_id != group.effective_target_group_id:
        raise ValidationError({"method": _("Metoden är för en annan målgrupp än gruppens.")}, code="target_group")
    group.method = method
    group.save(update_fields=["method", "updated_at"])
    return group
