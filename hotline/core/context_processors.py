"""Context for the page shell: the user's organization, roles and navigation."""

from django.http import HttpRequest

from .navigation import navigation_for


def shell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"navigation": navigation_for(user, request.path)}
