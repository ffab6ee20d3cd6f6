"""What gunicorn serves in `make bench`: the production settings, unchanged, plus the two baseline
pages (bench/urls.py, templates in bench/templates/). Every page is measured as production runs it.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

from config.settings import BASE_DIR

# Before anything reads them: the URLconf and the template engines are built lazily on first use.
settings.ROOT_URLCONF = "bench.urls"
settings.TEMPLATES = [
    {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}
]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
