"""The working-day calendar in the admin: calendar days, complete years and the CSV import.

Every write goes through ``services`` (which also makes the calendar forget its cached years);
the admin records who made each change in ``updated_by``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import DomainError

from . import calendar, services
from .imports import MAX_ROWS, CalendarImportReport, import_calendar
from .models import CalendarDay, CalendarYear

SOURCE_LABELS = {
    "table": gettext_lazy("calendar days entered here"),
    "package": gettext_lazy("chinesecalendar package"),
    "weekdays": gettext_lazy("none: Monday to Friday"),
}


def recompute_hint(request: HttpRequest) -> None:
    """Say, after a calendar change, that deadlines already set keep their dates until asked."""
    messages.info(
        request,
        _(
            "Deadlines already set do not move with the calendar by themselves. To apply this "
            "change to open cases, run “manage.py recompute_deadlines” (with --dry-run first to "
            "see what would move); every case it moves records the change in its history."
        ),
    )


class YearListFilter(admin.SimpleListFilter):
    title = gettext_lazy("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("day", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(day__year=int(value))
        return queryset


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["day", "is_workday", "name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["day", "weekday", "is_workday", "name", "source", "updated_at", "updated_by"]
    list_filter = [YearListFilter, "is_workday", "source"]
    search_fields = ["name"]
    list_select_related = ["updated_by"]
    ordering = ["day"]
    list_per_page = 100
    readonly_fields = ["source", "updated_at", "updated_by"]

    def get_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> list[str]:
        fields = ["day", "is_workday", "name"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, calendar_day: CalendarDay) -> str:
        return date_format(calendar_day.day, "l")

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: forms.ModelForm, change: bool
    ) -> None:
        services.save_day(obj, actor=request.user)
        recompute_hint(request)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.delete_days([obj], actor=request.user)
        recompute_hint(request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        services.delete_days(queryset, actor=request.user)
        recompute_hint(request)

    def has_import_permission(self, request: HttpRequest) -> bool:
        # An import creates and overwrites days: it needs both permissions.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_import": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of calendar days; show its bad rows, or import them all."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        report: CalendarImportReport | None = None
        file_error = ""
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = import_calendar(
                    form.cleaned_data["file"],
                    actor=request.user,
                    complete_years=form.cleaned_data["complete_years"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except DomainError as refused:
                file_error = refused.message
            if report is not None and report.ok and not report.dry_run:
                messages.success(request, report.summary())
                recompute_hint(request)
                info = self.opts.app_label, self.opts.model_name
                return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import calendar days"),
            "form": form,
            "report": report,
            "file_error": file_error,
            "max_rows": MAX_ROWS,
        }
        return TemplateResponse(request, "admin/workdays/import_calendar.html", context)


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        validators=[FileExtensionValidator(["csv"])],
        help_text=gettext_lazy(
            "CSV (UTF-8 or GB18030) with the header date,is_workday,name (or 日期,是否上班,名称); "
            "one row per holiday or make-up working day, e.g. 2027-10-01,否,国庆节. Working day: "
            "是/否 or 1/0."
        ),
    )
    complete_years = forms.BooleanField(
        label=gettext_lazy("The file holds the whole official schedule of its years"),
        help_text=gettext_lazy(
            "Marks the years in the file complete, which ends the Monday-to-Friday warning."
        ),
        required=False,
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, import nothing"), required=False)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "complete", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        year = cleaned.get("year", self.instance.year)
        if year is not None:
            try:
                services.check_year(year, complete=bool(cleaned.get("complete")))
            except DomainError as refused:
                field_name = next(iter(refused.fields), None)
                self.add_error(field_name if field_name in self.fields else None, refused.message)
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = [
        "year",
        "complete",
        "source",
        "days_off",
        "make_up_days",
        "note",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["complete"]
    list_select_related = ["updated_by"]
    ordering = ["-year"]

    def get_fields(self, request: HttpRequest, obj: CalendarYear | None = None) -> list[str]:
        fields = ["year", "complete", "note"]
        return fields if obj is None else [*fields, "updated_at", "updated_by"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarYear | None = None
    ) -> list[str]:
        # A row is about one year: enter another year as a new row.
        return [] if obj is None else ["year", "updated_at", "updated_by"]

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        # The day counts of the whole page in one query rather than two per row.
        years = [row.year for row in changelist.result_list]
        counts: dict[tuple[int, bool], int] = {
            (row["year"], row["is_workday"]): row["count"]
            for row in CalendarDay.objects.annotate(year=ExtractYear("day"))
            .filter(year__in=years)
            .values("year", "is_workday")
            .annotate(count=Count("pk"))
            .order_by()
        }
        for row in changelist.result_list:
            row.day_counts = {
                False: counts.get((row.year, False), 0),
                True: counts.get((row.year, True), 0),
            }
        return changelist

    @admin.display(description=gettext_lazy("calendar from"))
    def source(self, calendar_year: CalendarYear) -> str:
        return str(SOURCE_LABELS[calendar.year_source(calendar_year.year)])

    @admin.display(description=gettext_lazy("days off entered"))
    def days_off(self, calendar_year: CalendarYear) -> int:
        return self._day_counts(calendar_year)[False]

    @admin.display(description=gettext_lazy("make-up working days entered"))
    def make_up_days(self, calendar_year: CalendarYear) -> int:
        return self._day_counts(calendar_year)[True]

    def _day_counts(self, calendar_year: CalendarYear) -> dict[bool, int]:
        counts = getattr(calendar_year, "day_counts", None)
        if counts is None:
            years = CalendarDay.objects.filter(day__year=calendar_year.year)
            counts = {
                False: years.filter(is_workday=False).count(),
                True: years.filter(is_workday=True).count(),
            }
        return counts

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: forms.ModelForm, change: bool
    ) -> None:
        saved = services.set_year(
            year=obj.year, complete=obj.complete, note=obj.note, actor=request.user
        )
        # The admin goes on with ``obj`` (messages, log entry, redirect): make it the saved row.
        for model_field in CalendarYear._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        services.delete_years([obj], actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        services.delete_years(queryset, actor=request.user)
