"""The JSON API under /api/v1/ (django-ninja); filled in by the API work."""

from ninja import NinjaAPI

api = NinjaAPI(title="12351 职工服务平台 API", version="1", urls_namespace="api")
