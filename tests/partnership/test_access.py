import re
from pathlib import Path

import pytest

from partnership.access import can
from tests.factories import make_referral, make_user

ROOT = Path(__file__).resolve().parents[2]
APP_FOLDERS = ["config", "partnership", "referrals", "consent", "groups", "finance", "templates"]


@pytest.mark.django_db
def test_a_superuser_does_not_pass_the_district_wall_or_the_consent_gate():
    superuser = make_user(None, username="root")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    referral = make_referral()
    assert superuser.has_perm("referrals.view_identity", referral)  # what Django alone would say
    assert not can(superuser, "referrals.view_identity", referral)
    assert not can(superuser, "referrals.list_referrals")


def test_domain_code_checks_permissions_only_through_can():
    """user.has_perm lets a superuser through every rule; the domain must use partnership.access.can."""
    sources = [
        path
        for folder in APP_FOLDERS
        for pattern in ("*.py", "*.html")
        for path in (ROOT / folder).rglob(pattern)
        if "migrations" not in path.parts
    ]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if re.search(r"(?<!rules)\.has_perm\(|{% load [^%]*\brules\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
