"""How the follow-up app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from consent.selectors import district_contact_source_register
from referrals.purge import purge_step_register

from .evaluation import evaluation_unlink_child
from .models import DistrictContact


def unlink_evaluations(referral, counts: dict, files: list) -> None:
    """A purge step (referrals/purge.py): evaluation answers stay as anonymous statistics tied to
    group, format, age band and district; the link to the child and any free text go (IOP 4.2)."""
    counts["evaluation_answer_sets"] = evaluation_unlink_child(referral)


purge_step_register(unlink_evaluations)


def district_contact_emails(district_id: int) -> list[str]:
    """The district's active contacts on the city's contact list: where a concern goes when no
    social worker of the district has an email address (consent.selectors)."""
    return list(
        DistrictContact.objects.filter(district_id=district_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


district_contact_source_register(district_contact_emails)
