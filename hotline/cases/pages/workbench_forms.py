"""The forms of the agent workbench: the register form an agent types a call into, and the small
forms of the next step (resolve directly, dispatch, decline, merge).

The forms only parse what the browser sent; the services decide. A refusal comes back as a
``DomainError`` whose ``fields`` become field errors next to the fields they are about, and the
form keeps what was typed.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import DomainError, NotFound
from hotline.knowledge.models import KnowledgeArticle
from hotline.knowledge.selectors import get_published_article
from hotline.organizations.models import Organization

from .. import services
from ..forms import UnitPicker
from ..models import Case
from ..page_selectors import unit_choices
from ..selectors import get_visible_case
from ..states import Channel, Kind
from . import workbench_selectors as selectors

if TYPE_CHECKING:
    from hotline.accounts.models import User

# The kinds and channels in the order an agent needs them: the most common first.
KIND_ORDER = (
    Kind.CONSULTATION,
    Kind.COMPLAINT,
    Kind.HELP,
    Kind.MEMBERSHIP,
    Kind.SUGGESTION,
    Kind.PRAISE,
)
# Staff register calls, visits and mail; the national platform and the API have their own intake.
CHANNEL_ORDER = (
    Channel.PHONE,
    Channel.WALK_IN,
    Channel.WECHAT,
    Channel.WEB,
    Channel.LETTER,
    Channel.EMAIL,
)
TITLE_LENGTH = 30
_CLAUSE_END = re.compile(r"[。！？!?；;，,\n]")


def title_from(description: str) -> str:
    """A title for a case the agent gave none: the first clause of the request, shortened."""
    text = " ".join((description or "").split())
    clause = _CLAUSE_END.split(text, maxsplit=1)[0].strip() or text
    return clause if len(clause) <= TITLE_LENGTH else clause[: TITLE_LENGTH - 1] + "…"


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, ``is-invalid`` on those with errors."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select) or name in ("prefecture", "county"):
            css = "form-select form-select-sm"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control form-control-sm"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class WorkbenchForm(forms.Form):
    """What the workbench's forms share: refusals become field errors and a message on top."""

    # Service field names that are shown next to another field of the form.
    field_aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_message = ""

    def refuse(self, error: DomainError) -> None:
        self.error_message = error.message
        for name, reason in error.fields.items():
            target = self.field_aliases.get(name, name)
            self.add_error(target if target in self.fields else None, reason)
        _style(self)

    def invalid(self) -> None:
        self.error_message = _("Please correct the fields marked below.")
        _style(self)


# --- registering a call --------------------------------------------------------------------------


class RegisterForm(WorkbenchForm):
    """A call, typed in while the worker speaks. Fields in the order the agent tabs through."""

    phone = forms.CharField(label=gettext_lazy("Caller's phone"), required=False, max_length=30)
    worker_name = forms.CharField(
        label=gettext_lazy("Caller's name"), required=False, max_length=50
    )
    is_anonymous = forms.BooleanField(label=gettext_lazy("Anonymous"), required=False)
    is_confidential = forms.BooleanField(label=gettext_lazy("Confidential"), required=False)
    id_number = forms.CharField(
        label=gettext_lazy("ID number (optional)"), required=False, max_length=30
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[(kind.value, kind.label) for kind in KIND_ORDER],
        initial=Kind.CONSULTATION,
        widget=forms.RadioSelect,
    )
    category = forms.CharField(label=gettext_lazy("Category"), required=False, max_length=20)
    title = forms.CharField(label=gettext_lazy("Title (optional)"), required=False, max_length=100)
    description = forms.CharField(
        label=gettext_lazy("Request"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    employer_name = forms.CharField(label=gettext_lazy("Employer"), required=False, max_length=200)
    employer_credit_code = forms.CharField(
        label=gettext_lazy("Credit code (optional)"), required=False, max_length=30
    )
    # Plain codes: whether the user may pick them is ``workplace_division``'s decision.
    prefecture = forms.CharField(label=gettext_lazy("Workplace"), required=False, max_length=6)
    county = forms.CharField(label=gettext_lazy("County or district"), required=False, max_length=6)
    people_involved = forms.IntegerField(
        label=gettext_lazy("People involved"),
        initial=1,
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[(channel.value, channel.label) for channel in CHANNEL_ORDER],
        initial=Channel.PHONE,
    )
    # One key per filled-in form: a double click or a resubmission finds the case it made.
    intake_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # An article the agent cited before saving: the answer of the next step starts from it.
    cite_article = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_aliases: ClassVar[dict[str, str]] = {"workplace_division": "county"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("intake_uuid", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.user = user
        prefectures = selectors.prefectures(user)
        self.prefecture_choices = [("", _("Prefecture…"))] + [
            (division.code, division.name) for division in prefectures
        ]
        if len(prefectures) == 1:
            self.fields["prefecture"].initial = prefectures[0].code
        self.county_choices = [("", _("County…"))] + [
            (division.code, division.name)
            for division in selectors.counties(user, self._chosen_prefecture())
        ]
        _style(self)

    def _chosen_prefecture(self) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix("prefecture"), ""))
        return str(self.fields["prefecture"].initial or "")

    def cited_article(self) -> KnowledgeArticle | None:
        if not self.is_bound or not self.is_valid():
            return None
        return get_published_article(self.cleaned_data.get("cite_article"))

    def register(self, *, accept: bool) -> Case | None:
        """Register the call (and accept it, when ``accept``); None with errors when refused.

        A form submitted twice finds the case the first submission made and changes nothing.
        """
        if not self.is_valid():
            self.invalid()
            return None
        data = self.cleaned_data
        try:
            division = selectors.workplace_division(self.user, data["prefecture"], data["county"])
        except LookupError:
            self.refuse(
                DomainError(
                    "case.unknown_division",
                    _("Unknown administrative division."),
                    fields={"county": _("Choose a division from the list.")},
                )
            )
            return None
        title = data["title"] or title_from(data["description"])
        try:
            # One transaction in the service (a refused acceptance registers nothing), with the
            # case number drawn before it.
            case, created = services.register_case(
                actor=self.user,
                channel=data["channel"],
                kind=data["kind"],
                category=data["category"],
                title=title,
                description=data["description"],
                worker_name=data["worker_name"],
                phone=data["phone"],
                id_number=data["id_number"],
                is_anonymous=data["is_anonymous"],
                is_confidential=data["is_confidential"],
                employer_name=data["employer_name"],
                employer_credit_code=data["employer_credit_code"],
                workplace_division=division,
                people_involved=data["people_involved"],
                intake_key=f"form:{self.user.pk}:{data['intake_uuid']}",
                accept=accept,
            )
        except DomainError as refused:
            if not data["title"]:
                # The agent left the title to us: a missing request is reported there, not here.
                refused.fields.pop("title", None)
            self.refuse(refused)
            return None
        self.created = created
        return case


# --- the next step -------------------------------------------------------------------------------


class NextStepForm(WorkbenchForm):
    """One next step on a saved case."""

    action: ClassVar[str]

    def __init__(self, *args: Any, user: User, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, prefix=self.action, **kwargs)
        self.user = user
        self.case = case
        self.setup()
        _style(self)

    def setup(self) -> None:
        """Fill choices that depend on the user or the case."""

    def run(self) -> Case | None:
        if not self.is_valid():
            self.invalid()
            return None
        try:
            return self.perform()
        except DomainError as refused:
            self.refuse(refused)
            return None

    def perform(self) -> Case:
        raise NotImplementedError


class AcceptForm(NextStepForm):
    action = "accept"

    def perform(self) -> Case:
        return services.accept(self.case, actor=self.user)


class ResolveForm(NextStepForm):
    action = "resolve"
    answer = forms.CharField(
        label=gettext_lazy("Answer to the worker"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    article = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def cited(self) -> KnowledgeArticle | None:
        value = self["article"].value()
        return get_published_article(value) if value else None

    def perform(self) -> Case:
        article = self.cleaned_data["article"]
        cited = get_published_article(article) if article else None
        if article and cited is None:
            raise DomainError(
                "knowledge.article_not_found",
                _("The cited article is not in the knowledge base."),
                fields={"answer": _("Cite a published article, or none.")},
            )
        return services.resolve_directly(
            self.case,
            actor=self.user,
            answer=self.cleaned_data["answer"],
            article=cited.citation if cited is not None else "",
        )


class DispatchForm(NextStepForm):
    action = "dispatch"
    to = forms.ModelChoiceField(
        label=gettext_lazy("Handling unit"),
        queryset=Organization.objects.all(),
        required=False,
        widget=UnitPicker(blank="choose"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the unit (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def setup(self) -> None:
        self.suggestion = selectors.suggested_unit(self.user, self.case.workplace_division)
        chosen = [self.suggestion.unit.pk] if self.suggestion else []
        if self.is_bound:
            value = str(self.data.get(self.add_prefix("to"), ""))
            chosen += [int(value)] if value.isdigit() else []
        elif self.suggestion:
            self.initial["to"] = self.suggestion.unit.pk
        own = self.user.organization_id
        units = [unit for unit in unit_choices(self.user, chosen) if unit.pk != own]
        self.fields["to"].widget.choices = [("", _("Choose a unit"))] + [
            (str(unit.pk), self._label(unit)) for unit in units
        ]

    def _label(self, unit: Organization) -> str:
        if self.suggestion and unit.pk == self.suggestion.unit.pk:
            return _("%(unit)s (suggested)") % {"unit": unit.name}
        return unit.name

    def perform(self) -> Case:
        to = self.cleaned_data["to"]
        if to is None:
            raise DomainError(
                "case.field_required",
                _("Please fill in the required fields."),
                fields={"to": _("Choose a unit.")},
            )
        return services.dispatch(self.case, actor=self.user, to=to, note=self.cleaned_data["note"])


# Where a declined request is usually sent: (key, button label, the text the worker is told).
REFERRALS = (
    (
        "social_insurance",
        gettext_lazy("12333 social insurance"),
        gettext_lazy(
            "Social insurance registration, contributions and benefits are handled by the human "
            "resources and social security department: please call the 12333 hotline or visit "
            "the local social insurance agency."
        ),
    ),
    (
        "arbitration",
        gettext_lazy("Labor dispute arbitration"),
        gettext_lazy(
            "This is a labor dispute: within one year of learning that your rights were "
            "infringed, apply to the labor and personnel dispute arbitration commission where the "
            "employer is or where you worked. Arbitration is free of charge."
        ),
    ),
    (
        "court",
        gettext_lazy("People's court"),
        gettext_lazy(
            "This matter is decided by a court: please file a suit with the competent people's "
            "court. Against an arbitration award you may sue within 15 days of receiving it."
        ),
    ),
    (
        "labor_inspection",
        gettext_lazy("Labor inspection"),
        gettext_lazy(
            "Please report the employer to the labor security inspection of the local human "
            "resources and social security bureau (or call 12333), which can order it to comply."
        ),
    ),
)


class DeclineForm(NextStepForm):
    action = "decline"
    preset = forms.ChoiceField(
        label=gettext_lazy("Common referrals"),
        required=False,
        choices=[(key, label) for key, label, _text in REFERRALS],
        widget=forms.RadioSelect,
    )
    referral = forms.CharField(
        label=gettext_lazy("Where the worker should turn instead"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def referral_text(self) -> str:
        typed = self.cleaned_data["referral"]
        if typed:
            return typed
        texts = {key: str(text) for key, _label, text in REFERRALS}
        return texts.get(self.cleaned_data["preset"], "")

    def perform(self) -> Case:
        return services.decline(self.case, actor=self.user, referral=self.referral_text())


class MergeForm(NextStepForm):
    action = "merge"
    into = forms.CharField(label=gettext_lazy("Earlier case"), required=False, max_length=20)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=2000)

    def perform(self) -> Case:
        number = self.cleaned_data["into"]
        if not number:
            raise DomainError(
                "case.field_required",
                _("Please fill in the required fields."),
                fields={"into": _("Choose the earlier case.")},
            )
        try:
            target = get_visible_case(self.user, number)
        except NotFound as missing:
            raise DomainError(
                missing.code, missing.message, fields={"into": _("No such case.")}
            ) from missing
        return services.merge(
            self.case, actor=self.user, into=target, note=self.cleaned_data["note"]
        )


NEXT_STEPS: dict[str, type[NextStepForm]] = {
    form.action: form for form in (AcceptForm, ResolveForm, DispatchForm, DeclineForm, MergeForm)
}
