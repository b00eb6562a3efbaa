"""The floor under intake: what a request costs on this stack when the view does almost nothing.

``bench/intake_load.py --endpoint floor-plain`` or ``floor-api`` serves these URLs (and the
project's own) and loads them exactly as it loads ``POST /api/v1/cases``, so the difference is
what intake itself costs. Each view stores the body it got with one ``INSERT`` into a table of
its own (``bench_floor``, created and dropped by the script):

- ``POST /bench/floor/plain``: a plain Django view behind the production middleware (sessions,
  locale, CSRF exempt, authentication, the idle timeout, axes, security headers), no API
  framework, no authentication of its own.
- ``POST /bench/floor/api/cases``: a django-ninja endpoint with the project's bearer token
  authentication (``API_AUTH``: a token lookup) and intake's own body schema (``CaseIn``), the
  answer a small schema: what every API request pays before and after its view.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema

from hotline.cases.schemas import CaseIn
from hotline.core.api_auth import API_AUTH

TABLE = "bench_floor"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())"
)


def _insert(body: dict[str, object]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (body) VALUES (%s) RETURNING id",
            [json.dumps(body, ensure_ascii=False)],
        )
        return cursor.fetchone()[0]


@csrf_exempt
def plain(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"id": _insert(json.loads(request.body))}, status=201)


api = NinjaAPI(urls_namespace="bench_floor", auth=API_AUTH, docs_url=None, openapi_url=None)


class FloorOut(Schema):
    id: int


@api.post("/cases", response={201: FloorOut})
def cases(request: HttpRequest, payload: CaseIn) -> tuple[int, dict[str, int]]:
    return 201, {"id": _insert(payload.model_dump())}


def _project_urls() -> list:
    import importlib
    import os

    base = os.environ.get("BENCH_BASE_URLCONF", "config.urls")
    return list(importlib.import_module(base).urlpatterns)


urlpatterns = [
    path("bench/floor/plain", plain),
    path("bench/floor/api/", api.urls),
    *_project_urls(),
]
