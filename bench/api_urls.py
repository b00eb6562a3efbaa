"""URLs for the benchmarks when the project's own cannot be imported: the JSON API alone.

``bench/cases_bench.py`` and ``bench/intake_load.py`` time requests through ``config.urls``. While
the tree is being changed, another app's pages may fail to import; the API does not depend on
them, so the scripts then fall back to this module and say so in their output. Resolving
``/api/v1/...`` here skips the handful of patterns listed before the API in ``config.urls``.
"""

from django.urls import path

from config.api import api

urlpatterns = [path("api/v1/", api.urls)]
