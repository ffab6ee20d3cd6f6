"""Helpers shared by the follow-up pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ..access import can
from ..cooperation import agreements_for
from ..selectors import agreement_current


def _require(user, permission, obj=None):
    if not can(user, permission, obj):
        raise PermissionDenied


def _apply_errors(error: ValidationError, form, fallback_field=None):
    if hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            target = name if name in form.fields else fallback_field
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(fallback_field, message)


def _agreement_for(user):
    """The agreement in force, if the user's organisation is a party to it."""
    agreement = agreement_current()
    if agreement is None or not agreements_for(user).filter(pk=agreement.pk).exists():
        raise Http404
    return agreement


def _form_page(form, title, button, *, back=None, intro=""):
    return {"form": form, "title": title, "button": button, "back": back, "intro": intro}
