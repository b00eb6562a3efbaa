"""The worker's pages: no login, mobile first, under /public/."""

from django.urls import path

from . import views

app_name = "selfservice"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.file_request, name="file"),
    path("new/done/", views.filed, name="filed"),
    path("lookup/", views.lookup, name="lookup"),
    # The address in the "resolved" SMS: the same lookup, going on to the rating form.
    path("rating/", views.lookup, {"purpose": "rate"}, name="rating"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/rate/", views.rate, name="rate"),
]
