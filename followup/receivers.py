"""How the follow-up app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from consent.selectors import district_contact_source_register
from referrals.purge import purge_counts_add, purge_step_register

from .evaluation import evaluations_unlink_children
from .models import DistrictContact


def unlink_evaluations(referral_ids: list[int], counts: dict, files: dict) -> None:
    """A purge step (referrals/purge.py): evaluation answers stay as anonymous statistics tied to
    group, format, age band and district; the link to the children and any free text go (IOP 4.2)."""
    purge_counts_add(counts, "evaluation_answer_sets", evaluations_unlink_children(referral_ids))


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
