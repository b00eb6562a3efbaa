"""The calendar in the admin: days and years edited through the services, the CSV import page,
and the warning on the admin home."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hotline.accounts.models import User
from hotline.testing import factories as f
from hotline.workdays import calendar, services
from hotline.workdays.models import CalendarDay, CalendarYear, Source

DAYS = "admin:workdays_calendarday_changelist"
DAY_ADD = "admin:workdays_calendarday_add"
IMPORT = "admin:workdays_calendarday_import"
YEARS = "admin:workdays_calendaryear_changelist"
YEAR_ADD = "admin:workdays_calendaryear_add"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, admin_user: User):
    # Pages in their msgid language, so the assertions hold whatever the Chinese catalog says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    client.get(reverse("admin:index"))  # the first request of a session writes the session
    return client


@pytest.fixture
def late_november_2026(monkeypatch: pytest.MonkeyPatch) -> date:
    today = date(2026, 11, 25)
    monkeypatch.setattr(calendar, "timezone", SimpleNamespace(localdate=lambda: today))
    return today


@pytest.fixture
def june_2026(monkeypatch: pytest.MonkeyPatch) -> date:
    today = date(2026, 6, 1)
    monkeypatch.setattr(calendar, "timezone", SimpleNamespace(localdate=lambda: today))
    return today


def entry(day: date, *, is_workday: bool = False, name: str = "") -> CalendarDay:
    return services.save_day(CalendarDay(day=day, is_workday=is_workday, name=name), actor=None)


def test_the_calendar_pages_load_for_a_superuser(admin_client):
    holiday = entry(date(2027, 10, 1), name="国庆节")
    services.set_year(year=2027, complete=False, actor=None)

    pages = [
        reverse(DAYS),
        reverse(DAY_ADD),
        reverse("admin:workdays_calendarday_change", args=[holiday.pk]),
        reverse(IMPORT),
        reverse(YEARS),
        reverse(YEAR_ADD),
        reverse("admin:workdays_calendaryear_change", args=[CalendarYear.objects.get().pk]),
        reverse("admin:app_list", args=["workdays"]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_the_day_list_shows_each_entry_and_links_to_the_import(admin_client):
    entry(date(2027, 10, 1), name="国庆节")
    entry(date(2027, 9, 26), is_workday=True, name="国庆节调休上班")

    page = admin_client.get(reverse(DAYS)).content.decode()

    assert "国庆节调休上班" in page
    assert "Sunday" in page
    assert reverse(IMPORT) in page


def test_the_day_list_filters_by_year(admin_client):
    entry(date(2026, 12, 31), name="二〇二六")
    entry(date(2027, 1, 1), name="元旦")

    page = admin_client.get(reverse(DAYS), {"year": "2027"}).content.decode()

    assert "元旦" in page
    assert "二〇二六" not in page


def test_the_day_list_has_a_fixed_number_of_queries_whatever_the_number_of_days(
    admin_client, admin_user
):
    entry(date(2027, 1, 1), name="元旦")
    with CaptureQueriesContext(connection) as one_day:
        admin_client.get(reverse(DAYS))
    for offset in range(1, 30):
        services.save_day(
            CalendarDay(day=date(2027, 2, 1) + timedelta(days=offset), name=f"假日{offset}"),
            actor=f.user(admin_user.organization),
        )
    with CaptureQueriesContext(connection) as thirty_days:
        response = admin_client.get(reverse(DAYS))

    assert response.status_code == 200
    assert len(thirty_days) == len(one_day), [query["sql"] for query in thirty_days]


def test_adding_a_day_in_the_admin_records_the_user_and_moves_deadlines(admin_client, admin_user):
    assert calendar.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 1)

    response = admin_client.post(
        reverse(DAY_ADD), {"day": "2027-10-01", "is_workday": "", "name": "国庆节"}
    )

    assert response.status_code == 302
    holiday = CalendarDay.objects.get()
    assert (holiday.day, holiday.is_workday, holiday.name) == (date(2027, 10, 1), False, "国庆节")
    assert holiday.source == Source.ADMIN
    assert holiday.updated_by == admin_user
    assert calendar.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)


def test_the_admin_refuses_a_second_entry_for_the_same_date(admin_client):
    entry(date(2027, 10, 1), name="国庆节")

    response = admin_client.post(reverse(DAY_ADD), {"day": "2027-10-01", "name": "重复"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["day"]
    assert CalendarDay.objects.count() == 1


def test_the_admin_refuses_a_date_outside_the_supported_years(admin_client):
    response = admin_client.post(reverse(DAY_ADD), {"day": "1999-10-01", "name": "太早"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not CalendarDay.objects.exists()


def test_changing_a_day_imported_earlier_makes_it_an_admin_entry(admin_client, admin_user):
    services.import_days(
        [services.DayEntry(day=date(2027, 10, 1), is_workday=False, name="国庆")], actor=None
    )
    imported = CalendarDay.objects.get()
    assert imported.source == Source.IMPORT
    assert not calendar.is_workday(date(2027, 10, 1))

    admin_client.post(
        reverse("admin:workdays_calendarday_change", args=[imported.pk]),
        {"day": "2027-10-01", "is_workday": "on", "name": "改为上班"},
    )

    imported.refresh_from_db()
    assert (imported.is_workday, imported.source) == (True, Source.ADMIN)
    assert imported.updated_by == admin_user
    assert calendar.is_workday(date(2027, 10, 1))


def test_deleting_days_in_the_admin_gives_the_dates_back_to_monday_to_friday(admin_client):
    first = entry(date(2027, 10, 1), name="国庆节")
    second = entry(date(2027, 10, 4), name="国庆节")
    assert not calendar.is_workday(date(2027, 10, 4))

    admin_client.post(
        reverse(DAYS),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert not CalendarDay.objects.exists()
    assert calendar.is_workday(date(2027, 10, 4))


def test_the_import_page_imports_a_good_file(admin_client, admin_user):
    upload = SimpleUploadedFile(
        "2027.csv", "日期,是否上班,名称\n2027-10-01,否,国庆节\n".encode("gb18030")
    )

    response = admin_client.post(reverse(IMPORT), {"file": upload, "complete_years": "on"})

    assert response.status_code == 302
    assert CalendarDay.objects.get().updated_by == admin_user
    assert CalendarYear.objects.get(year=2027).complete


def test_the_import_page_lists_bad_lines_and_imports_nothing(admin_client):
    upload = SimpleUploadedFile(
        "2027.csv", b"date,is_workday,name\n2027-10-01,0,a\n2027-10-32,0,b\n2027-10-02,x,c\n"
    )

    response = admin_client.post(reverse(IMPORT), {"file": upload})

    assert response.status_code == 200
    assert [error.line for error in response.context["report"].errors] == [3, 4]
    assert 'id="import-errors"' in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_the_import_page_shows_a_file_level_error(admin_client):
    upload = SimpleUploadedFile("2027.csv", b"something,else\n1,2\n")

    response = admin_client.post(reverse(IMPORT), {"file": upload})

    assert response.status_code == 200
    assert "date,is_workday,name" in response.context["file_error"]
    assert not CalendarDay.objects.exists()


def test_staff_who_may_only_view_days_cannot_import(client, admin_user):
    viewer = f.user(admin_user.organization, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_calendarday"))
    client.force_login(viewer)

    page = client.get(reverse(DAYS))
    refused = client.post(
        reverse(IMPORT), {"file": SimpleUploadedFile("a.csv", b"date,is_workday\n2027-1-1,0\n")}
    )

    assert page.status_code == 200
    assert reverse(IMPORT) not in page.content.decode()
    assert refused.status_code == 403
    assert not CalendarDay.objects.exists()


def test_a_year_cannot_be_marked_complete_before_any_of_its_days_is_entered(admin_client):
    response = admin_client.post(reverse(YEAR_ADD), {"year": "2027", "complete": "on"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["complete"]
    assert not CalendarYear.objects.exists()


def test_marking_a_year_complete_in_the_admin_records_the_user(admin_client, admin_user):
    entry(date(2027, 10, 1), name="国庆节")

    response = admin_client.post(
        reverse(YEAR_ADD), {"year": "2027", "complete": "on", "note": "国务院办公厅通知"}
    )

    assert response.status_code == 302
    year = CalendarYear.objects.get()
    assert (year.year, year.complete, year.note) == (2027, True, "国务院办公厅通知")
    assert year.updated_by == admin_user
    assert calendar.year_source(2027) == "table"


def test_the_year_list_counts_the_days_in_one_query_whatever_the_number_of_years(admin_client):
    entry(date(2027, 10, 1))
    entry(date(2027, 9, 26), is_workday=True)
    services.set_year(year=2027, complete=True, actor=None)
    with CaptureQueriesContext(connection) as one_year:
        page = admin_client.get(reverse(YEARS))
    for year in (2028, 2029, 2030):
        entry(date(year, 1, 1))
        services.set_year(year=year, complete=True, actor=None)
    with CaptureQueriesContext(connection) as four_years:
        admin_client.get(reverse(YEARS))

    assert page.status_code == 200
    assert "calendar days entered here" in page.content.decode()
    assert len(four_years) == len(one_year), [query["sql"] for query in four_years]


def test_the_admin_home_warns_when_the_next_60_days_reach_an_unknown_year(
    admin_client, late_november_2026
):
    page = admin_client.get(reverse("admin:index"))

    text = page.content.decode()
    assert 'class="warning"' in text
    assert "no official holidays for 2027" in text
    assert f'<a href="{reverse(DAYS)}">' in text


def test_the_admin_home_stops_warning_once_the_year_is_marked_complete(
    admin_client, late_november_2026
):
    entry(date(2027, 1, 1), name="元旦")
    services.set_year(year=2027, complete=True, actor=None)

    page = admin_client.get(reverse("admin:index"))

    assert "no official holidays" not in page.content.decode()


def test_the_admin_home_does_not_warn_while_the_package_covers_the_next_60_days(
    admin_client, june_2026
):
    page = admin_client.get(reverse("admin:index"))

    assert page.status_code == 200
    assert "no official holidays" not in page.content.decode()
