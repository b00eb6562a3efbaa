"""The risk alert pages, under /alerts/."""

from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list_page, name="list"),
    path("<int:pk>/", views.alert_detail_page, name="detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
