"""The real URLs plus one view that fails, for the 500 page's test."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _fails(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("test-fel/", _fails)]
