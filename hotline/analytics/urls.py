"""The figures pages, under /analytics/."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.kpi_page, name="kpis"),
    path("export/", views.kpi_export, name="kpis_export"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("ranking/export/", views.ranking_export, name="ranking_export"),
    path("report/", views.report_page, name="report"),
    path("report/download/", views.report_download, name="report_download"),
]
