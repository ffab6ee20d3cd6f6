"""Tell the user plainly what the operating system lacks before anything else fails obscurely."""

import sys

WEASYPRINT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"

try:
    import weasyprint  # noqa: F401
except OSError as error:
    sys.exit(
        "Systembibliotek för PDF (WeasyPrint) saknas: "
        f"{error}\nInstallera dem med:\n  sudo apt-get install --no-install-recommends {WEASYPRINT_PACKAGES}"
    )
