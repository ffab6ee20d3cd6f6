"""A kind declared in every process, its handler loaded only where jobs run (partnership/jobs.py:
job_kind in an app's jobs.py, worker_job_handler in its worker-only tasks.py)."""

import pytest

from partnership import jobs
from partnership.models import BackgroundJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setattr(jobs, "_KINDS", dict(jobs._KINDS))


def test_a_declared_kind_is_requested_without_its_handler_and_runs_where_it_is_loaded(kinds):
    kind = jobs.job_kind("tests.declared", max_attempts=2)
    job, created = jobs.job_request(kind=kind, key="tests.declared:1", arguments={"n": 3})
    assert created and job.state == BackgroundJob.State.QUEUED

    # A process without the handler (a web process that somehow ran it) fails the job, loudly.
    assert jobs.job_run(job.pk).state == BackgroundJob.State.FAILED
    assert BackgroundJob.objects.get(pk=job.pk).error == "LookupError"

    @jobs.worker_job_handler(kind)
    def double(job):
        return {"doubled": job.arguments["n"] * 2}

    job, _created = jobs.job_request(kind=kind, key="tests.declared:1", arguments={"n": 3})
    finished = jobs.job_run(job.pk)
    assert finished.state == BackgroundJob.State.DONE and finished.result == {"doubled": 6}
    # The handler keeps what the declaration said about the kind.
    assert jobs.job_kinds()[kind].max_attempts == 2


def test_a_handler_for_a_kind_never_declared_is_refused(kinds):
    with pytest.raises(LookupError, match="not declared"):
        jobs.worker_job_handler("tests.undeclared")(lambda job: None)


def test_the_suggestion_kind_has_its_handler_in_this_eager_process():
    # The tests run tasks eagerly, as `make run` does: the process loads the tasks modules itself.
    assert jobs.job_kinds()["composition.suggestion"].run is not None
