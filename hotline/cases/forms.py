"""The forms of the staff case pages: the list's filters and one small form per case action.

An action form only parses what the browser sent (a number, a unit, a yes or no) and hands it to
the service, which decides everything else: a refusal comes back as a ``DomainError`` whose
``fields`` become the form's field errors, in Chinese, next to the fields they are about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.models import Role, User
from hotline.core.errors import DomainError, NotFound
from hotline.organizations.models import Organization

from . import services
from .models import Case, Category
from .page_selectors import TAB_ALL, unit_choices, units_by_id
from .selectors import CaseFilters, get_visible_case
from .states import Kind, Rating, Status

if TYPE_CHECKING:
    from collections.abc import Sequence

# --- widgets -----------------------------------------------------------------------------------


class UnitPicker(forms.Select):
    """A unit select with a search box behind a button: typing asks the server (htmx) for
    matching units of the user's subtree and replaces the options, keeping the chosen ones.

    ``blank`` names the empty option the search results start with: ``"all"`` (a filter),
    ``"choose"`` (a required choice) or ``""`` (none).
    """

    template_name = "cases/widgets/unit_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None, blank: str = "") -> None:
        super().__init__(attrs)
        self.blank = blank

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["blank"] = self.blank
        return context


class UnitPickerMultiple(UnitPicker, forms.SelectMultiple):
    allow_multiple_selected = True


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, ``is-invalid`` on those with errors."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = css


def _unit_options(units: Sequence[Organization]) -> list[tuple[str, str]]:
    return [(str(unit.pk), unit.name) for unit in units]


# --- the case list's filters -------------------------------------------------------------------


def _category_choices() -> list[tuple[str, Any]]:
    """Top-level categories as groups; choosing a group's first entry takes all of it.

    One small query of four columns on every list page: the groups come by ``parent_id``, so no
    join is needed (a cache would save little more and would need invalidating on every
    process when an administrator edits the taxonomy)."""
    categories = list(
        Category.objects.filter(is_active=True).only("pk", "code", "name", "parent_id")
    )
    groups: dict[int, list[tuple[str, str]]] = {}
    tops = [category for category in categories if category.parent_id is None]
    for category in categories:
        if category.parent_id is not None:
            groups.setdefault(category.parent_id, []).append((category.code, category.name))
    choices: list[tuple[str, Any]] = [("", _("All categories"))]
    for top in tops:
        entries = [(top.code, _("%(name)s (all)") % {"name": top.name})]
        choices.append((top.name, entries + groups.get(top.pk, [])))
    return choices


class CaseFilterForm(forms.Form):
    """The case list's filters, from the query string. A value that does not parse is ignored."""

    tab = forms.CharField(required=False)
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Case number, phone, or words"),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Handling unit"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=UnitPicker(blank="all"),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue"), required=False)
    due_soon = forms.BooleanField(label=gettext_lazy("Due soon"), required=False)
    supervised = forms.BooleanField(label=gettext_lazy("Supervised"), required=False)
    created_from = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = forms.DateField(
        label=gettext_lazy("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: User, tabs: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["category"].choices = _category_choices()
        chosen = str(self.data.get("unit", "")) if self.is_bound else ""
        selected = [int(chosen)] if chosen.isdigit() else []
        self.fields["unit"].choices = [
            ("", _("All units")),
            *_unit_options(unit_choices(user, selected)),
        ]
        self.tabs = tuple(tabs)
        _style(self)

    def filters(self) -> tuple[CaseFilters, str]:
        """The ``CaseFilters`` and the tab the query string asks for; bad values left out."""
        if not self.is_bound:
            return CaseFilters(), TAB_ALL
        self.is_valid()
        data = self.cleaned_data
        tab = data.get("tab") or TAB_ALL
        if tab not in self.tabs:
            tab = TAB_ALL
        return (
            CaseFilters(
                status=data.get("status") or "",
                kind=data.get("kind") or "",
                category=data.get("category") or "",
                unit=data.get("unit"),
                overdue=bool(data.get("overdue")),
                due_soon=bool(data.get("due_soon")),
                supervised=bool(data.get("supervised")),
                text=data.get("q") or "",
                created_from=data.get("created_from"),
                created_to=data.get("created_to"),
            ),
            tab,
        )

    def active_filters(self) -> int:
        """How many filters beyond the text search are set (shown on the phone's filter button)."""
        if not self.is_bound:
            return 0
        names = ("status", "kind", "category", "unit", "overdue", "due_soon", "supervised")
        dates = ("created_from", "created_to")
        data = getattr(self, "cleaned_data", {})
        return sum(1 for name in (*names, *dates) if data.get(name))


# --- the action forms --------------------------------------------------------------------------


def _required(field: str, reason: str | Promise) -> DomainError:
    return DomainError(
        "case.field_required", _("Please fill in the required fields."), fields={field: reason}
    )


YES_NO_SOLVED = (("yes", gettext_lazy("Solved")), ("no", gettext_lazy("Not solved")))


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _text(label: Promise, *, rows: int = 3) -> forms.Field:
    # Never required here: the service says what is required, in its own words.
    return forms.CharField(
        label=label, required=False, strip=True, widget=forms.Textarea(attrs={"rows": rows})
    )


def _days(label: Promise, help_text: Promise | str = "") -> forms.Field:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )


def _unit_field(label: Promise, *, multiple: bool = False) -> forms.Field:
    # Any organization parses; whether it may receive the case is the service's decision.
    if multiple:
        return forms.ModelMultipleChoiceField(
            label=label,
            queryset=Organization.objects.all(),
            required=False,
            widget=UnitPickerMultiple(),
        )
    return forms.ModelChoiceField(
        label=label,
        queryset=Organization.objects.all(),
        required=False,
        widget=UnitPicker(blank="choose"),
    )


class ActionForm(forms.Form):
    """One action on one case: its fields, its button, and the service call it makes."""

    action: ClassVar[str]
    label: ClassVar[Promise]
    icon: ClassVar[str] = "check2"
    style: ClassVar[str] = "primary"
    description: ClassVar[Promise | str] = ""
    done: ClassVar[Promise]

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        user: User,
        case: Case,
        units: Sequence[Organization] | None = None,
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, files, prefix=prefix or self.action)
        self.user = user
        self.case = case
        self.error_message = ""
        self.setup(units)
        _style(self)

    def setup(self, units: Sequence[Organization] | None) -> None:
        """Fill choices that depend on the user or the case."""

    def _unit_picker(self, name: str, units: Sequence[Organization] | None) -> None:
        """Offer the short list of units (``units``, or the user's and the ones directly below),
        plus any chosen through the search; the field's queryset still parses any unit."""
        field = self.fields[name]
        offered = list(units) if units is not None else unit_choices(self.user)
        known = {unit.pk for unit in offered}
        offered += units_by_id(self.user, [pk for pk in self._bound_ids(name) if pk not in known])
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        blank = [] if multiple else [("", _("Choose a unit"))]
        own = self.user.organization_id
        field.widget.choices = blank + _unit_options([u for u in offered if u.pk != own])

    def _bound_ids(self, name: str) -> list[int]:
        if not self.is_bound:
            return []
        key = self.add_prefix(name)
        values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
        return [int(value) for value in values if value and str(value).isdigit()]

    def done_values(self) -> dict[str, str]:
        return {}

    @property
    def done_message(self) -> str:
        """What the page says after the action succeeded."""
        values = self.done_values()
        return str(self.done) % values if values else str(self.done)

    def perform(self) -> Case:
        """Call the service with the parsed input; raises ``DomainError`` on refusal."""
        raise NotImplementedError

    def run(self) -> Case | None:
        """Validate and perform; None (with the errors on the form) when refused."""
        if not self.is_valid():
            self.error_message = _("Please correct the fields marked below.")
            return None
        try:
            return self.perform()
        except DomainError as refused:
            self.refuse(refused)
            return None

    def refuse(self, error: DomainError) -> None:
        """Show ``error``: its message on top, its fields next to the fields."""
        self.error = error
        self.error_message = error.message
        for name, reason in error.fields.items():
            if name in self.fields:
                self.add_error(name, reason)
        _style(self)

    @property
    def status_code(self) -> int:
        error = getattr(self, "error", None)
        return error.status if error is not None else 400


class AcceptForm(ActionForm):
    action = "accept"
    label = gettext_lazy("Accept")
    icon = "check2-circle"
    description = gettext_lazy("Take the request on: the worker gets the case number by SMS.")

    done = gettext_lazy("The case was accepted.")

    def perform(self) -> Case:
        return services.accept(self.case, actor=self.user)


class DeclineForm(ActionForm):
    action = "decline"
    label = gettext_lazy("Decline")
    icon = "x-circle"
    style = "outline-danger"
    description = gettext_lazy("Outside the union's remit: tell the worker where to turn instead.")
    referral = _text(gettext_lazy("Where the worker should turn instead"))

    done = gettext_lazy("The case was declined; the worker will be told where to turn.")

    def perform(self) -> Case:
        return services.decline(self.case, actor=self.user, referral=self.cleaned_data["referral"])


class ResolveDirectlyForm(ActionForm):
    action = "resolve_directly"
    label = gettext_lazy("Resolve directly")
    icon = "lightning-charge"
    description = gettext_lazy("Answered on first contact: no dispatch needed.")
    answer = _text(gettext_lazy("Answer to the worker"), rows=4)
    article = forms.CharField(
        label=gettext_lazy("Knowledge base article (optional)"), required=False
    )

    done = gettext_lazy("The case was resolved.")

    def perform(self) -> Case:
        return services.resolve_directly(
            self.case,
            actor=self.user,
            answer=self.cleaned_data["answer"],
            article=self.cleaned_data["article"],
        )


class AssignLawyerForm(ActionForm):
    action = "assign_lawyer"
    label = gettext_lazy("Assign a lawyer")
    icon = "briefcase"
    style = "outline-secondary"
    lawyer = forms.ModelChoiceField(
        label=gettext_lazy("Lawyer"), queryset=User.objects.none(), required=False
    )
    note = _text(gettext_lazy("Note"), rows=2)

    def setup(self, units: Sequence[Organization] | None) -> None:
        field = self.fields["lawyer"]
        field.queryset = lawyers_of(self.case.owner_org_id)
        field.empty_label = _("Choose a lawyer")

    done = gettext_lazy("The lawyer was assigned.")

    def perform(self) -> Case:
        lawyer = self.cleaned_data["lawyer"]
        if lawyer is None:
            raise _required("lawyer", _("Choose a lawyer."))
        return services.assign_lawyer(
            self.case, actor=self.user, lawyer=lawyer, note=self.cleaned_data["note"]
        )


def lawyers_of(organization_id: int) -> QuerySet[User]:
    """Active lawyers of one organization, by name."""
    return (
        User.objects.filter(
            organization_id=organization_id,
            is_active=True,
            role_assignments__role=Role.LAWYER,
        )
        .distinct()
        .order_by("name", "username")
    )


class DispatchForm(ActionForm):
    action = "dispatch"
    label = gettext_lazy("Dispatch")
    icon = "send"
    description = gettext_lazy("Send the case to a unit below yours, with a deadline.")
    to = _unit_field(gettext_lazy("Handling unit"))
    assisting = _unit_field(gettext_lazy("Assisting units (optional)"), multiple=True)
    days = _days(
        gettext_lazy("Working days to complete (optional)"),
        gettext_lazy("Leave empty for the rule of this kind of case."),
    )
    note = _text(gettext_lazy("Note to the unit"), rows=2)

    def setup(self, units: Sequence[Organization] | None) -> None:
        self._unit_picker("to", units)
        self._unit_picker("assisting", units)

    done = gettext_lazy("The case was dispatched to %(unit)s.")

    def done_values(self) -> dict[str, str]:
        return {"unit": self.cleaned_data["to"].name}

    def perform(self) -> Case:
        to = self.cleaned_data["to"]
        if to is None:
            raise _required("to", _("Choose a unit."))
        return services.dispatch(
            self.case,
            actor=self.user,
            to=to,
            assisting=list(self.cleaned_data["assisting"]),
            note=self.cleaned_data["note"],
            days=self.cleaned_data["days"],
        )


class AcknowledgeForm(ActionForm):
    action = "acknowledge"
    label = gettext_lazy("Acknowledge")
    icon = "inbox"
    description = gettext_lazy("Confirm that your unit has taken the case: the deadline runs.")
    note = _text(gettext_lazy("Note (optional)"), rows=2)

    done = gettext_lazy("The case was acknowledged.")

    def perform(self) -> Case:
        return services.acknowledge(self.case, actor=self.user, note=self.cleaned_data["note"])


class ReturnForm(ActionForm):
    action = "return"
    label = gettext_lazy("Return")
    icon = "arrow-return-left"
    style = "outline-danger"
    description = gettext_lazy("Misrouted: send the case back to the unit that dispatched it.")
    reason = _text(gettext_lazy("Why the case does not belong to your unit"))

    done = gettext_lazy("The case was returned to the unit that dispatched it.")

    def perform(self) -> Case:
        return services.return_case(self.case, actor=self.user, reason=self.cleaned_data["reason"])


class ReassignForm(ActionForm):
    action = "reassign"
    label = gettext_lazy("Reassign")
    icon = "arrow-left-right"
    style = "outline-secondary"
    to = _unit_field(gettext_lazy("New handling unit"))
    reason = _text(gettext_lazy("Reason"), rows=2)
    days = _days(
        gettext_lazy("Working days to complete (optional)"),
        gettext_lazy("Leave empty for the rule of this kind of case."),
    )

    def setup(self, units: Sequence[Organization] | None) -> None:
        self._unit_picker("to", units)

    done = gettext_lazy("The case was reassigned to %(unit)s.")

    def done_values(self) -> dict[str, str]:
        return {"unit": self.cleaned_data["to"].name}

    def perform(self) -> Case:
        to = self.cleaned_data["to"]
        if to is None:
            raise _required("to", _("Choose a unit."))
        return services.reassign(
            self.case,
            actor=self.user,
            to=to,
            reason=self.cleaned_data["reason"],
            days=self.cleaned_data["days"],
        )


class EscalateForm(ActionForm):
    action = "escalate"
    label = gettext_lazy("Escalate")
    icon = "arrow-up-circle"
    style = "outline-secondary"
    description = gettext_lazy("Hand the case up to your parent organization.")
    note = _text(gettext_lazy("Why it needs the level above"))

    done = gettext_lazy("The case was escalated.")

    def perform(self) -> Case:
        return services.escalate(self.case, actor=self.user, note=self.cleaned_data["note"])


class ReplyForm(ActionForm):
    action = "reply"
    label = gettext_lazy("Reply")
    icon = "reply"
    description = gettext_lazy("Report what was done; the dispatching unit reviews it.")
    result = _text(gettext_lazy("What was done, and the result"), rows=5)
    solved = forms.TypedChoiceField(
        label=gettext_lazy("Is the worker's problem solved?"),
        choices=YES_NO_SOLVED,
        coerce=_yes_no,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    done = gettext_lazy("The reply was sent for review.")

    def perform(self) -> Case:
        return services.reply(
            self.case,
            actor=self.user,
            result=self.cleaned_data["result"],
            solved=self.cleaned_data["solved"],  # type: ignore[arg-type]
        )


class ApproveForm(ActionForm):
    action = "approve"
    label = gettext_lazy("Approve the reply")
    icon = "check2-all"
    description = gettext_lazy("Accept the handling unit's reply.")
    note = _text(gettext_lazy("Note (optional)"), rows=2)

    done = gettext_lazy("The reply was approved.")

    def perform(self) -> Case:
        return services.approve(self.case, actor=self.user, note=self.cleaned_data["note"])


class SendBackForm(ActionForm):
    action = "send_back"
    label = gettext_lazy("Send back for rework")
    icon = "arrow-counterclockwise"
    style = "outline-danger"
    reason = _text(gettext_lazy("What is missing from the reply"))
    days = _days(
        gettext_lazy("New working days (optional)"),
        gettext_lazy("Leave empty to keep the unit's deadline."),
    )

    done = gettext_lazy("The reply was sent back for rework.")

    def perform(self) -> Case:
        return services.send_back(
            self.case,
            actor=self.user,
            reason=self.cleaned_data["reason"],
            days=self.cleaned_data["days"],
        )


class RequestExtensionForm(ActionForm):
    action = "request_extension"
    label = gettext_lazy("Request an extension")
    icon = "calendar-plus"
    style = "outline-secondary"
    description = gettext_lazy("Once per case; the dispatching unit decides.")
    days = _days(gettext_lazy("Extra working days"))
    reason = _text(gettext_lazy("Reason"), rows=2)

    done = gettext_lazy("The extension request was sent.")

    def perform(self) -> Case:
        return services.request_extension(
            self.case,
            actor=self.user,
            days=self.cleaned_data["days"],  # type: ignore[arg-type]
            reason=self.cleaned_data["reason"],
        )


class DecideExtensionForm(ActionForm):
    action = "decide_extension"
    label = gettext_lazy("Decide on the extension")
    icon = "calendar-check"
    decision = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=(("approve", gettext_lazy("Approve")), ("refuse", gettext_lazy("Refuse"))),
        coerce=lambda value: {"approve": True, "refuse": False}.get(value),
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    note = _text(gettext_lazy("Note (required when refusing)"), rows=2)

    @property
    def description(self) -> str:  # type: ignore[override]
        return _("%(days)s working days requested: %(reason)s") % {
            "days": self.case.extension_days or "",
            "reason": self.case.extension_reason,
        }

    @property
    def done_message(self) -> str:
        if self.cleaned_data.get("decision"):
            return _("The extension was approved.")
        return _("The extension was refused.")

    def perform(self) -> Case:
        decision = self.cleaned_data["decision"]
        try:
            return services.decide_extension(
                self.case,
                actor=self.user,
                approve=decision,  # type: ignore[arg-type]
                note=self.cleaned_data["note"],
            )
        except DomainError as refused:
            # The service names the yes/no input "approve"; here it is "decision".
            if "approve" in refused.fields:
                refused.fields["decision"] = refused.fields.pop("approve")
            raise


class FollowUpForm(ActionForm):
    action = "follow_up"
    label = gettext_lazy("Record the follow-up")
    icon = "telephone-outbound"
    description = gettext_lazy("The worker's rating and whether the problem was solved.")
    rating = forms.ChoiceField(
        label=gettext_lazy("Rating"),
        choices=Rating.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    solved = forms.TypedChoiceField(
        label=gettext_lazy("Does the worker say the problem is solved?"),
        choices=YES_NO_SOLVED,
        coerce=_yes_no,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    note = _text(gettext_lazy("Note (optional)"), rows=2)

    done = gettext_lazy("The follow-up was recorded.")

    def perform(self) -> Case:
        return services.follow_up(
            self.case,
            actor=self.user,
            rating=self.cleaned_data["rating"],
            solved=self.cleaned_data["solved"],  # type: ignore[arg-type]
            note=self.cleaned_data["note"],
        )


class CloseForm(ActionForm):
    action = "close"
    label = gettext_lazy("Close after review")
    icon = "archive"
    description = gettext_lazy("Rated dissatisfied: explain why nothing more will be done.")
    explanation = _text(gettext_lazy("Explanation"))

    done = gettext_lazy("The case was closed.")

    def perform(self) -> Case:
        return services.close_after_review(
            self.case, actor=self.user, explanation=self.cleaned_data["explanation"]
        )


class ReopenForm(ActionForm):
    action = "reopen"
    label = gettext_lazy("Reopen")
    icon = "arrow-repeat"
    style = "outline-danger"
    description = gettext_lazy("Send the case back to the last handling unit to be handled again.")
    reason = _text(gettext_lazy("Reason"))

    done = gettext_lazy("The case was reopened.")

    def perform(self) -> Case:
        return services.reopen(self.case, actor=self.user, reason=self.cleaned_data["reason"])


class UrgeForm(ActionForm):
    action = "urge"
    label = gettext_lazy("Urge")
    icon = "bell"
    style = "outline-warning"
    description = gettext_lazy("Remind the handling unit to handle the case promptly.")
    note = _text(gettext_lazy("Note to the handling unit (optional)"), rows=2)

    done = gettext_lazy("The handling unit was urged.")

    def perform(self) -> Case:
        return services.urge(self.case, actor=self.user, note=self.cleaned_data["note"])


class SuperviseForm(ActionForm):
    action = "supervise"
    label = gettext_lazy("Supervise")
    icon = "eye"
    style = "outline-danger"
    description = gettext_lazy("Put the case under formal supervision: it is marked on every list.")
    note = _text(gettext_lazy("Supervision instructions"), rows=2)

    done = gettext_lazy("The case is now under supervision.")

    def perform(self) -> Case:
        return services.supervise(self.case, actor=self.user, note=self.cleaned_data["note"])


class MergeForm(ActionForm):
    action = "merge"
    label = gettext_lazy("Merge as a duplicate")
    icon = "union"
    style = "outline-secondary"
    description = gettext_lazy("The same request was registered twice: close this one.")
    into = forms.CharField(
        label=gettext_lazy("Number of the original case"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    note = _text(gettext_lazy("Note (optional)"), rows=2)

    done = gettext_lazy("The case was merged into %(number)s.")

    def done_values(self) -> dict[str, str]:
        return {"number": self.original.number}

    def perform(self) -> Case:
        number = self.cleaned_data["into"].strip()
        if not number:
            raise _required("into", _("Enter the number of the original case."))
        try:
            self.original = get_visible_case(self.user, number)
        except NotFound as missing:
            raise DomainError(
                missing.code, missing.message, fields={"into": missing.message}
            ) from missing
        return services.merge(
            self.case, actor=self.user, into=self.original, note=self.cleaned_data["note"]
        )


class CommentForm(ActionForm):
    action = "comment"
    label = gettext_lazy("Add a note")
    icon = "chat-left-text"
    style = "outline-secondary"
    text = _text(gettext_lazy("Note"), rows=3)
    public = forms.BooleanField(
        label=gettext_lazy("Show this note to the worker"),
        required=False,
        help_text=gettext_lazy("The worker sees it word for word on the public progress page."),
    )

    done = gettext_lazy("The note was added.")

    def perform(self) -> Case:
        return services.comment(
            self.case,
            actor=self.user,
            text=self.cleaned_data["text"],
            internal=not self.cleaned_data["public"],
        )


class AttachForm(ActionForm):
    action = "attach"
    label = gettext_lazy("Add a file")
    icon = "paperclip"
    style = "outline-secondary"
    file = forms.FileField(label=gettext_lazy("File"), required=False)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False)

    done = gettext_lazy("The file was attached.")

    def perform(self) -> Case:
        upload = self.cleaned_data["file"]
        if upload is None:
            raise _required("file", _("Choose a file."))
        services.attach(self.case, actor=self.user, file=upload, note=self.cleaned_data["note"])
        return self.case


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AcceptForm,
        ResolveDirectlyForm,
        DispatchForm,
        AcknowledgeForm,
        ReplyForm,
        ApproveForm,
        DecideExtensionForm,
        FollowUpForm,
        CloseForm,
        ReopenForm,
        UrgeForm,
        SuperviseForm,
        RequestExtensionForm,
        SendBackForm,
        ReassignForm,
        ReturnForm,
        EscalateForm,
        AssignLawyerForm,
        MergeForm,
        DeclineForm,
        CommentForm,
        AttachForm,
    )
}
# Shown in their own places on the case page (the timeline, the attachments), not as buttons.
NOTE_ACTIONS = frozenset({"comment", "attach"})


def action_form(
    action: str,
    *,
    user: User,
    case: Case,
    data: Any = None,
    files: Any = None,
    units: Sequence[Organization] | None = None,
    prefix: str | None = None,
) -> ActionForm:
    """The form of ``action`` on ``case`` for ``user`` (bound when ``data`` is given)."""
    return ACTION_FORMS[action](data, files, user=user, case=case, units=units, prefix=prefix)
