"""The staff pages of cases, under /cases/ (see ``hotline.cases.pages``)."""

from .pages import casework, workbench

app_name = "cases"
urlpatterns = [*casework.urlpatterns, *workbench.urlpatterns]
