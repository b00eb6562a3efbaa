"""Context for the page shell; filled in by the page-shell work."""

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, object]:
    return {}
