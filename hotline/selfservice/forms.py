"""The worker's forms: the shape of the input, checked with the case engine's own validators.

The forms only check what a field must look like and turn it into the arguments of the services;
the services check everything again and their refusals land on the same fields
(``add_domain_error``), so a page never shows an English code or a field-less error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from hotline.cases import crypto
from hotline.cases.services.common import MAX_LONG_TEXT, MAX_NOTE, clean_text
from hotline.cases.services.intake import MAX_EMPLOYER, MAX_PEOPLE, MAX_TITLE, MAX_WORKER_NAME
from hotline.cases.services.public_intake import check_photos
from hotline.cases.states import Channel, Rating
from hotline.core.errors import DomainError
from hotline.organizations.models import Division, DivisionLevel

from .topics import TOPICS, TOPICS_BY_KEY

MAX_CASE_NUMBER = 20
# Where a service's field lands on the page when the page names it differently.
SERVICE_FIELDS = {"category": "topic", "workplace_division": "county", "title": "description"}


def add_domain_error(form: forms.Form, refused: DomainError) -> None:
    """Put a service's refusal on the form: each field's reason next to it, the message on top."""
    placed = False
    for field, reason in refused.fields.items():
        name = SERVICE_FIELDS.get(field, field)
        if name in form.fields:
            form.add_error(name, reason)
            placed = True
    if not placed:
        form.add_error(None, refused.message)


def _domain_check(check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a case-engine validator; its refusal becomes this field's error."""
    try:
        return check(*args, **kwargs)
    except DomainError as refused:
        reasons = list(refused.fields.values()) or [refused.message]
        raise forms.ValidationError(reasons[0]) from None


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files under one name; each is checked as a photo by the case engine."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=_MultipleFileInput(), required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        cleaned = [single(file, initial) for file in files if file]
        photos = [file for file in cleaned if file]
        _domain_check(check_photos, photos)
        return photos


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    parent_code: str


def workplaces() -> tuple[list[Place], list[Place]]:
    """The province's prefectures and counties, in code order (one query)."""
    rows = Division.objects.filter(
        level__in=(DivisionLevel.PREFECTURE, DivisionLevel.COUNTY)
    ).values_list("code", "name", "level", "parent_id")
    prefectures, counties = [], []
    for code, name, level, parent in rows.order_by("code"):
        place = Place(code=code, name=name, parent_code=parent or "")
        (prefectures if level == DivisionLevel.PREFECTURE else counties).append(place)
    return prefectures, counties


class RequestForm(forms.Form):
    """A worker's request: what it is about, what happened, where, and how to reach them."""

    topic = forms.ChoiceField(
        choices=[(topic.key, topic.label) for topic in TOPICS],
        error_messages={
            "required": gettext_lazy("Choose what your problem is about."),
            "invalid_choice": gettext_lazy("Choose what your problem is about."),
        },
    )
    description = forms.CharField(required=False, strip=False)
    employer_name = forms.CharField(required=False, strip=False)
    people_involved = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PEOPLE,
        error_messages={
            "invalid": gettext_lazy("Enter a whole number."),
            "min_value": gettext_lazy("At least 1 person."),
            "max_value": gettext_lazy("The number is too large."),
        },
    )
    prefecture = forms.CharField(required=False)
    county = forms.CharField(required=False)
    worker_name = forms.CharField(required=False, strip=False)
    phone = forms.CharField(required=False, strip=False)
    is_anonymous = forms.BooleanField(required=False)
    photos = PhotosField()
    consent = forms.BooleanField(
        error_messages={"required": gettext_lazy("Please agree to the use of your personal data.")},
    )
    intake_key = forms.CharField(required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefectures, self.counties = workplaces()
        # Counties under their prefecture, for the grouped select (and its script).
        self.county_groups = [
            (prefecture, [c for c in self.counties if c.parent_code == prefecture.code])
            for prefecture in self.prefectures
        ]
        self.photo_count = len(self.files.getlist("photos")) if self.files else 0

    def clean_description(self) -> str:
        return _domain_check(
            clean_text,
            self.cleaned_data["description"],
            field="description",
            max_length=MAX_LONG_TEXT,
            required=True,
        )

    def clean_employer_name(self) -> str:
        return _domain_check(
            clean_text,
            self.cleaned_data["employer_name"],
            field="employer_name",
            max_length=MAX_EMPLOYER,
        )

    def clean_worker_name(self) -> str:
        return _domain_check(
            clean_text,
            self.cleaned_data["worker_name"],
            field="worker_name",
            max_length=MAX_WORKER_NAME,
        )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            raise forms.ValidationError(
                _("Please leave a phone number: you need it to check the progress.")
            )
        return _domain_check(crypto.validate_phone, phone)

    def clean_prefecture(self) -> str:
        code = self.cleaned_data["prefecture"].strip()
        if code not in {place.code for place in self.prefectures}:
            raise forms.ValidationError(_("Choose the city or prefecture where you work."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        prefecture = data.get("prefecture")
        county = (data.get("county") or "").strip()
        if county and prefecture:
            inside = {place.code for place in self.counties if place.parent_code == prefecture}
            if county not in inside:
                self.add_error("county", _("Choose a county of the selected city or prefecture."))
        data["county"] = county
        if data.get("is_anonymous"):
            # Anonymous means no name on file; a name typed before ticking the box is dropped.
            data["worker_name"] = ""
        elif "worker_name" in data and not data["worker_name"]:
            self.add_error(
                "worker_name", _("Please give your name, or choose to report anonymously.")
            )
        topic = TOPICS_BY_KEY.get(data.get("topic") or "")
        employer_needed = topic is not None and topic.key != "other"
        if employer_needed and "employer_name" in data and not data["employer_name"]:
            self.add_error("employer_name", _("Please give the name of your employer."))
        return data

    def intake(self) -> dict[str, Any]:
        """The arguments of ``register_public_case`` (a valid form only)."""
        data = self.cleaned_data
        topic = TOPICS_BY_KEY[data["topic"]]
        # The title is for staff: in the site's language, whatever language the worker reads.
        with override(settings.LANGUAGE_CODE):
            title = str(topic.label)
        if data["employer_name"]:
            title = f"{title}：{data['employer_name']}"
        return {
            "channel": Channel.WEB,
            "kind": topic.kind,
            "category": topic.category,
            "title": title[:MAX_TITLE],
            "description": data["description"],
            "worker_name": data["worker_name"],
            "phone": data["phone"],
            "is_anonymous": bool(data["is_anonymous"]),
            "employer_name": data["employer_name"],
            "workplace_division": data["county"] or data["prefecture"],
            "people_involved": data["people_involved"] or 1,
            "intake_key": data["intake_key"] or None,
            "photos": data.get("photos") or [],
        }


class LookupForm(forms.Form):
    """A case number and the phone it was filed from."""

    number = forms.CharField(
        max_length=MAX_CASE_NUMBER,
        error_messages={
            "required": gettext_lazy("Enter the case number from your SMS."),
            "max_length": gettext_lazy("A case number has at most 20 digits."),
        },
    )
    phone = forms.CharField(
        max_length=30,
        error_messages={
            "required": gettext_lazy("Enter the phone number you left."),
            "max_length": gettext_lazy("Enter the phone number you left."),
        },
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split())

    def clean_phone(self) -> str:
        return crypto.normalize_phone(self.cleaned_data["phone"])


class RatingForm(forms.Form):
    """The worker's rating of the result."""

    rating = forms.ChoiceField(
        choices=Rating.choices,
        error_messages={
            "required": gettext_lazy("Choose how satisfied you are."),
            "invalid_choice": gettext_lazy("Choose how satisfied you are."),
        },
    )
    solved = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": gettext_lazy("Tell us whether your problem was solved."),
            "invalid_choice": gettext_lazy("Tell us whether your problem was solved."),
        },
    )
    note = forms.CharField(required=False, strip=False)

    def clean_note(self) -> str:
        return _domain_check(
            clean_text, self.cleaned_data["note"], field="note", max_length=MAX_NOTE
        )
