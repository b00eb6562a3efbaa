"""The peer's URLs: django-helpdesk under ``helpdesk/`` (as its documentation shows) and the
admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
