"""The staff pages people work in every day (issue 4): the case list and its Excel ledger, a
case's page with its actions, the handling unit's inbox, the supervision board and the
follow-up queue. The views live in the ``casework_*`` modules; this is their one URL list.

A case number is digits only (``YYYYMMDD`` + a daily sequence), so the case URLs never catch a
word such as ``inbox/`` or another module's ``workbench/``.
"""

from django.urls import URLPattern, path, re_path

from . import casework_detail as detail
from . import casework_list as lists
from . import casework_queues as queues

CASE = r"^(?P<number>[0-9]{8,20})/"

urlpatterns: list[URLPattern] = [
    path("", lists.case_list_page, name="list"),
    path("export.xlsx", lists.export_ledger, name="export"),
    path("units/options/", lists.unit_options, name="unit_options"),
    path("inbox/", queues.inbox_page, name="inbox"),
    path("inbox/notices/<int:pk>/", queues.open_notice, name="open_notice"),
    path("supervision/", queues.supervision_board, name="supervision"),
    path("follow-up/", queues.follow_up_page, name="follow_up"),
    re_path(CASE + r"$", detail.case_detail, name="detail"),
    re_path(CASE + r"act/(?P<action>[a-z_]+)/$", detail.case_action, name="act"),
    re_path(CASE + r"personal-data/$", detail.personal_data, name="personal_data"),
    re_path(CASE + r"attachments/(?P<pk>[0-9]+)/$", detail.attachment_download, name="attachment"),
    re_path(CASE + r"acknowledge/$", queues.quick_acknowledge, name="quick_acknowledge"),
    re_path(
        CASE + r"supervision/(?P<action>[a-z_]+)/$",
        queues.quick_supervision,
        name="quick_supervision",
    ),
    re_path(CASE + r"follow-up/$", queues.quick_follow_up, name="quick_follow_up"),
]
