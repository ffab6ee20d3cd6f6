"""Tell the user plainly what the operating system lacks before anything else fails obscurely.

`python scripts/check_system.py` (make run): the PDF libraries and fonts.
`python scripts/check_system.py --browser` (make test): also that Playwright's driver starts and
launches Chromium, the way the browser tests do; it stops with the apt-get command if not.
"""

import os
import shutil
import sys

from playwright.sync_api import sync_playwright

try:
    import weasyprint  # noqa: F401 (importing it is the check: it loads Pango and HarfBuzz)
except OSError as error:
    PDF_ERROR: str | None = str(error)
else:
    PDF_ERROR = None

WEASYPRINT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
# Chromium for the browser tests; libatomic1 for Playwright's driver (its node needs libatomic.so.1).
BROWSER_PACKAGES = "chromium libatomic1"
APT_LINE = f"sudo apt-get install --no-install-recommends {WEASYPRINT_PACKAGES} {BROWSER_PACKAGES}"
LAUNCH_TIMEOUT_MS = 60_000


def check_pdf() -> str | None:
    if PDF_ERROR is None:
        return None
    return (
        "Systembibliotek för PDF (WeasyPrint) saknas: "
        f"{PDF_ERROR}\nInstallera dem med:\n  sudo apt-get install --no-install-recommends {WEASYPRINT_PACKAGES}"
    )


def chromium_executable() -> str | None:
    """The browser the tests use (tests/conftest.py): CHROMIUM_PATH, else the system Chromium."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def check_browser() -> str | None:
    """Start Playwright's driver and launch Chromium headless once, as the browser tests do."""
    advice = f"Installera det som saknas med:\n  {APT_LINE}"
    executable = chromium_executable()
    try:
        with sync_playwright() as playwright:
            if executable is None and not os.path.exists(playwright.chromium.executable_path):
                return f"Chromium för webbläsartesterna saknas (ingen `chromium` i PATH).\n{advice}"
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"], timeout=LAUNCH_TIMEOUT_MS
            )
            browser.close()
    except Exception as error:  # the driver or the browser did not start: say why and what to install
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"Webbläsartesterna kan inte starta Playwright och Chromium: {reason}\n{advice}"
    return None


def main(argv: list[str]) -> int:
    problems = [check_pdf()]
    if "--browser" in argv:
        problems.append(check_browser())
    problems = [problem for problem in problems if problem]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
