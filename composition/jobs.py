"""Background work of composition: solving a suggestion (the pipeline: partnership/jobs.py).

Only the kind is declared here, where every process finds it, so the web can request the job.
Its handler is in composition/tasks.py, which only a worker imports: the solver loads OR-Tools,
about 75 MB that every web worker would otherwise carry.
"""

import datetime

from django.conf import settings

from partnership.jobs import job_kind

# The solver stops at COMPOSITION_TIME_LIMIT_SECONDS; a run still going a minute after that means
# its worker died, and the sweep requeues it while the manager's page still waits.
SUGGESTION_JOB = job_kind(
    "composition.suggestion",
    time_limit=datetime.timedelta(seconds=settings.COMPOSITION_TIME_LIMIT_SECONDS + 60),
)
