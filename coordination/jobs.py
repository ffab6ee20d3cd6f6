"""Background work of the coordination (the pipeline: partnership/jobs.py): the "planned groups"
mailing to the contact list, in batches, each mail claimed as it goes."""

from partnership.jobs import job_handler, mail_batch_send

from .mailing import PLANNED_GROUPS_JOB, planned_groups_mail_send


@job_handler(PLANNED_GROUPS_JOB, max_attempts=5, retry_on=(OSError,))
def planned_groups_mails_send(job) -> dict:
    return mail_batch_send(job, planned_groups_mail_send)
