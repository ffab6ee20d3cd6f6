"""The background jobs' figures (filled in below)."""


def measure_all(*, log) -> dict:
    return {"targets": []}
