"""How the follow-up app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from referrals.purge import purge_step_register

from .evaluation import evaluation_unlink_child


def unlink_evaluations(referral, counts: dict, files: list) -> None:
    """A purge step (referrals/purge.py): evaluation answers stay as anonymous statistics tied to
    group, format, age band and district; the link to the child and any free text go (IOP 4.2)."""
    counts["evaluation_answer_sets"] = evaluation_unlink_child(referral)


purge_step_register(unlink_evaluations)
