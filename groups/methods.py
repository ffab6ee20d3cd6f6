"""The method library (issue 16): group programmes with their target group, ages, format and
manual versions, and which groups follow which method. The city's coordinator keeps the library
(the coordination's proposal: get manuals written and spread for the areas that lack them): adds,
changes and retires methods; a provider's operations manager names the method a group follows.

A method is retired, never deleted: the groups that followed it keep naming it (SupportGroup.method
protects it) and the city's comparison of outcomes by method keeps its figures. A manual version
is never changed either: a correction is a new version, so a group's leaders can always find the
exact text they worked from."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership import history
from partnership.models import TargetGroup
from partnership.uploads import stored_document

from .models import GroupStatus, Method, MethodManual, SupportGroup

# --- Reads ---------------------------------------------------------------------------------------


def method_library() -> QuerySet[Method]:
    """Every method with its target group, its manuals newest first, and how many groups (not
    cancelled) follow it: one query for the methods, one for the manuals. The methods in use
    first, then the retired ones, the most recently retired first."""
    return (
        Method.objects.select_related("target_group")
        .prefetch_related(Prefetch("manuals", queryset=MethodManual.objects.order_by("-published_on", "-pk")))
        .annotate(group_count=Count("groups", filter=~Q(groups__status=GroupStatus.CANCELLED), distinct=True))
        .order_by(F("retired_on").desc(nulls_first=True), "target_group__name", "name")
    )


def target_groups_without_manual() -> QuerySet[TargetGroup]:
    """The areas with no method in use that has a manual: the coordinator's list of manuals to get
    written (a retired method's manual no longer covers its area)."""
    manuals = MethodManual.objects.filter(method__target_group=OuterRef("pk"), method__retired_on__isnull=True)
    return TargetGroup.objects.exclude(Exists(manuals)).order_by("name")


def methods_offered_to(group: SupportGroup) -> QuerySet[Method]:
    """The methods a group may name: those in use for its target group, and the one it names now
    (retired or not: choosing again must not take it away)."""
    in_use = Q(retired_on__isnull=True)
    if group.method_id is not None:
        in_use |= Q(pk=group.method_id)
    return Method.objects.filter(in_use, target_group_id=group.effective_target_group_id).order_by("name")


def method_followed_by(group: SupportGroup) -> int | None:
    """The id of the method a group follows now: its own, or for a weekend's subgroup (which names
    none: only the weekend does, groups/services.weekend_split_apply) its weekend's. Evaluation
    answers keep it (EvaluationAnswerSet.method) so that a later change does not move them."""
    if group.method_id is not None or group.parent_id is None:
        return group.method_id
    return SupportGroup.objects.filter(pk=group.parent_id).values_list("method_id", flat=True).first()


def groups_following(method: Method) -> QuerySet[SupportGroup]:
    return (
        method.groups.exclude(status=GroupStatus.CANCELLED)
        .select_related("agreement__provider")
        .order_by("-starts_on", "name")
    )


# --- Writes --------------------------------------------------------------------------------------


def _method_details_check(*, name: str, min_age: int, max_age: int, method: Method | None = None) -> None:
    if min_age > max_age:
        raise ValidationError({"max_age": _("Högsta ålder kan inte vara lägre än lägsta ålder.")}, code="ages")
    same_name = Method.objects.filter(name__iexact=name.strip())
    if method is not None:
        same_name = same_name.exclude(pk=method.pk)
    if same_name.exists():
        raise ValidationError({"name": _("Det finns redan en metod med det namnet.")}, code="name")


@transaction.atomic
@history.records_actor("by")
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
    _method_details_check(name=name, min_age=min_age, max_age=max_age)
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
@history.records_actor("by")
def method_update(
    *,
    method: Method,
    name: str,
    target_group: TargetGroup,
    min_age: int,
    max_age: int,
    format: str,
    description: str = "",
    origin: str = "",
    by,
) -> Method:
    """Change what a method is; its history keeps each change, who made it and when.

    Its area (target group) changes only while no group of another area follows it: a group
    follows a method of its own target group (group_method_set), in the past too. The method's row
    is locked, as group_method_set locks it, so a group cannot be given the method meanwhile."""
    method = Method.objects.select_for_update().get(pk=method.pk)
    _method_details_check(name=name, min_age=min_age, max_age=max_age, method=method)
    if target_group.pk != method.target_group_id:
        elsewhere = (
            method.groups.annotate(area=Coalesce("target_group_id", "agreement__target_group_id"))
            .exclude(area=target_group.pk)
            .exists()
        )
        if elsewhere:
            raise ValidationError(
                {
                    "target_group": _(
                        "Grupper i en annan målgrupp följer metoden, så dess målgrupp kan inte ändras. "
                        "Lägg till en ny metod för den nya målgruppen."
                    )
                },
                code="target_group",
            )
    method.name = name.strip()
    method.target_group = target_group
    method.min_age, method.max_age = min_age, max_age
    method.format = format.strip()
    method.description = description.strip()
    method.origin = origin.strip()
    method.save(
        update_fields=["name", "target_group", "min_age", "max_age", "format", "description", "origin", "updated_at"]
    )
    return method


@transaction.atomic
@history.records_actor("by")
def method_retire(*, method: Method, by) -> Method:
    """Retire a method: it stays in the library, marked, with its manuals and the groups that
    followed it (those still running keep it), but no group can choose it any more."""
    method = Method.objects.select_for_update().get(pk=method.pk)
    if method.retired_on is not None:
        raise ValidationError(_("Metoden är redan avvecklad."), code="retired")
    method.retired_on = timezone.localdate()
    method.save(update_fields=["retired_on", "updated_at"])
    return method


@transaction.atomic
@history.records_actor("by")
def method_reinstate(*, method: Method, by) -> Method:
    """Take a retired method into use again (a retirement by mistake, or a programme revived)."""
    method = Method.objects.select_for_update().get(pk=method.pk)
    if method.retired_on is None:
        raise ValidationError(_("Metoden används redan."), code="in_use")
    method.retired_on = None
    method.save(update_fields=["retired_on", "updated_at"])
    return method


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
    """Name the method a group follows (or none); it must be a method in use for the group's target
    group (a group that names a retired method may keep it). The method's row is locked, as
    method_update locks it, so its target group cannot change meanwhile."""
    group = SupportGroup.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=group.pk)
    if method is not None:
        method = Method.objects.select_for_update().get(pk=method.pk)
        if method.target_group_id != group.effective_target_group_id:
            raise ValidationError({"method": _("Metoden är för en annan målgrupp än gruppens.")}, code="target_group")
        if method.retired_on is not None and method.pk != group.method_id:
            raise ValidationError({"method": _("Metoden är avvecklad och kan inte väljas.")}, code="retired")
    group.method = method
    group.save(update_fields=["method", "updated_at"])
    return group
