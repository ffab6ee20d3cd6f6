"""scripts/check_system.py stops `make test` with the apt-get line when the browser tests cannot start."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_system.py"
APT_LINE = (
    "sudo apt-get install --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
    "fonts-dejavu-core chromium libatomic1"
)


def check_system(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in ("CHROMIUM_PATH", "PLAYWRIGHT_NODEJS_PATH")}
    env.update(environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_browser_check_launches_chromium_on_this_machine():
    result = check_system("--browser")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_without_chromium_it_stops_with_the_apt_line(tmp_path):
    # No chromium on PATH and no browser Playwright downloaded itself.
    result = check_system("--browser", PATH=str(tmp_path), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "none"))
    assert result.returncode == 1
    assert "Chromium för webbläsartesterna saknas" in result.stderr
    assert APT_LINE in result.stderr


def test_a_driver_that_cannot_start_stops_it_with_the_apt_line(tmp_path):
    # What a minimal Debian 12 without libatomic1 does: Playwright's node exits before it answers.
    node = tmp_path / "node"
    node.write_text(
        "#!/bin/sh\necho 'node: error while loading shared libraries: libatomic.so.1: "
        "cannot open shared object file: No such file or directory' >&2\nexit 127\n"
    )
    node.chmod(0o755)
    result = check_system("--browser", PLAYWRIGHT_NODEJS_PATH=str(node))
    assert result.returncode == 1
    assert "libatomic.so.1" in result.stderr
    assert "kan inte starta Playwright och Chromium" in result.stderr
    assert APT_LINE in result.stderr


def test_make_run_checks_only_the_pdf_libraries(tmp_path):
    # `make run` needs no browser: without chromium the check without --browser still passes.
    result = check_system(PATH=str(tmp_path), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "none"))
    assert result.returncode == 0, result.stderr
