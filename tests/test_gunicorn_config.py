"""The web processes' gunicorn settings (config/gunicorn.py), and that every way of starting the web
uses them."""

import gc
import runpy
from pathlib import Path

from django.conf import settings

CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.py"


def test_a_web_worker_puts_what_it_has_loaded_out_of_the_collectors_reach():
    hooks = runpy.run_path(str(CONFIG))
    gc.collect()
    before = gc.get_freeze_count()
    try:
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > before
        # What a request leaves behind is still collected: a cycle made after the freeze goes.
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_the_image_the_stack_and_the_bench_start_gunicorn_with_them():
    root = Path(settings.BASE_DIR)
    for path in ("Dockerfile", "docker-compose.yml", "bench/__main__.py"):
        text = (root / path).read_text()
        assert "config/gunicorn.py" in text, path
