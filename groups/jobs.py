"""Background work of groups (the pipeline: partnership/jobs.py): the foster families' reminders."""

from partnership.jobs import job_handler, mail_batch_send

from .family_reminders import FAMILY_REMINDER_MAILS_JOB, family_reminder_send


def _send_one(reminder_id: int, *, connection) -> bool:
    return family_reminder_send(reminder_id=reminder_id, connection=connection)


@job_handler(FAMILY_REMINDER_MAILS_JOB, max_attempts=5, retry_on=(OSError,))
def family_reminder_mails_send(job) -> dict:
    # A mail server that did not answer: the batch is tried again within a minute, while the
    # meeting is still ahead (family_reminder_send decides that again for each mail).
    return mail_batch_send(job, _send_one)
