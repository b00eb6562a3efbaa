"""Top-level URLs: pages, the admin, the JSON API and language switching."""

from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("hotline.core.urls")),
    path("accounts/", include("hotline.accounts.urls")),
    path("organizations/", include("hotline.organizations.urls")),
    path("cases/", include("hotline.cases.urls")),
    path("analytics/", include("hotline.analytics.urls")),
    path("alerts/", include("hotline.alerts.urls")),
    path("dashboard/", include("hotline.dashboard.urls")),
    path("public/", include("hotline.selfservice.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
