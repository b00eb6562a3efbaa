"""The agent workbench (坐席工作台), /cases/workbench/: a call typed in while the worker speaks.

The register form fills the left of the screen; beside it, as the agent types, the caller's
earlier cases (the screen pop), similar recent requests (duplicate hints) and the knowledge base.
Saving registers the case and accepts it; the same screen then offers the next step: resolve
directly (citing an article), dispatch to the unit suggested by the workplace, decline with a
referral, or merge into an earlier case. "Next call" starts a fresh form.

Every write goes through ``hotline.cases.services``, every read through the scoped selectors.
htmx swaps the middle of the page; without JavaScript the same views answer with whole pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.models import Role
from hotline.knowledge.models import KnowledgeArticle
from hotline.knowledge.selectors import get_published_article, search_articles

from .. import crypto, selectors
from ..models import Case, Category
from ..rules import INTAKE_ROLES
from ..states import OPEN_STATUSES, Action, Kind, Status
from . import workbench_selectors
from .casework_common import case_or_404, is_htmx, staff_page
from .workbench_forms import NEXT_STEPS, REFERRALS, NextStepForm, RegisterForm
from .workbench_selectors import with_badges

WORKBENCH_ROLES = (Role.AGENT, Role.LAWYER, Role.DISPATCHER)

# The next steps the workbench offers, and the lifecycle action each one is.
STEP_ACTIONS = {
    "accept": Action.ACCEPT,
    "resolve": Action.RESOLVE_DIRECTLY,
    "dispatch": Action.DISPATCH,
    "decline": Action.DECLINE,
    "merge": Action.MERGE,
}
# While the call is being taken a repeat can still be merged; later that is the case page's job.
INTAKE_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED})
# The caller's requests not yet answered: a repeat call is often about one of these.
BEING_HANDLED = OPEN_STATUSES - {Status.RESOLVED}
KNOWLEDGE_RESULTS = 8
MAX_HINT_TEXT = 5000


def _page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The whole workbench around ``context``: the register form, a case's next step
    (``step_view``), or, for a lawyer who does not register calls, the cases they answer."""
    can_register = request.user.has_role(*INTAKE_ROLES)
    context["can_register"] = can_register
    if not context.get("step_view") and can_register:
        context["categories"] = workbench_selectors.category_tree()
    elif not context.get("step_view"):
        context["lawyer_cases"] = with_badges(workbench_selectors.lawyer_queue(request.user))
    return render(request, "cases/workbench/page.html", context)


# --- registering a call --------------------------------------------------------------------------


@staff_page(*WORKBENCH_ROLES)
def workbench(request: HttpRequest) -> HttpResponse:
    """The empty register form; a POST registers the call (and accepts it unless held)."""
    if request.method != "POST":
        return _page(request, {"form": RegisterForm(user=request.user)})
    if not request.user.has_role(*INTAKE_ROLES):
        raise PermissionDenied
    form = RegisterForm(request.POST, user=request.user)
    accept = request.POST.get("then") != "hold"
    case = form.register(accept=accept)
    if case is None:
        if is_htmx(request):
            return render(
                request,
                "cases/workbench/_register_form.html",
                {"form": form, "categories": workbench_selectors.category_tree()},
            )
        return _page(request, {"form": form})
    notice = _registered_notice(case, created=form.created)
    cited = form.cited_article()
    url = reverse("cases:workbench_case", args=[case.number])
    if is_htmx(request):
        response = _render_step(request, case, notice=notice, cite=cited)
        response["HX-Push-Url"] = url
        return response
    messages.success(request, notice)
    return redirect(f"{url}?cite={cited.pk}" if cited else url)


def _registered_notice(case: Case, *, created: bool) -> str:
    if not created:
        return _("This form was saved before, as case %(number)s: nothing new was registered.") % {
            "number": case.number
        }
    if case.status == Status.ACCEPTED:
        return _("Case %(number)s was registered and accepted.") % {"number": case.number}
    return _("Case %(number)s was registered; it is not accepted yet.") % {"number": case.number}


# --- the next step -------------------------------------------------------------------------------


def _default_step(case: Case, offered: list[str], cite: KnowledgeArticle | None) -> str:
    if "resolve" in offered and (cite is not None or case.kind != Kind.COMPLAINT):
        preferred = ["resolve", "dispatch"] if case.kind != Kind.HELP else ["dispatch", "resolve"]
    else:
        preferred = ["dispatch", "resolve"]
    for step in [*preferred, "decline", "accept", "merge"]:
        if step in offered:
            return step
    return ""


def _step_context(
    request: HttpRequest,
    case: Case,
    *,
    bound: NextStepForm | None = None,
    notice: str = "",
    error: str = "",
    cite: KnowledgeArticle | None = None,
) -> dict[str, Any]:
    """What the next-step panel shows for ``case`` as it is now."""
    user = request.user
    allowed = set(selectors.allowed_actions(user, case))
    offered = [step for step, action in STEP_ACTIONS.items() if action in allowed]
    if case.status not in INTAKE_STATUSES:
        offered = [step for step in offered if step != "merge"]
    forms: dict[str, NextStepForm] = {}
    for step in offered:
        if bound is not None and bound.action == step:
            forms[step] = bound
            continue
        initial = {}
        if step == "resolve" and cite is not None:
            initial = {"answer": cite.body, "article": cite.pk}
        forms[step] = NEXT_STEPS[step](user=user, case=case, initial=initial)
    merge_candidates: list[Case] = []
    if "merge" in forms:
        merge_candidates = with_badges(
            selectors.duplicate_hints(
                case.phone, case.employer_name, case.description, exclude=case, user=user
            )
        )
        if not merge_candidates and not (bound is not None and bound.action == "merge"):
            offered.remove("merge")
            del forms["merge"]
    active = bound.action if bound is not None and bound.action in forms else ""
    return {
        "case": with_badges([case])[0],
        "steps": forms,
        "offered": offered,
        "active": active or _default_step(case, offered, cite),
        "notice": notice,
        "error": error or (bound.error_message if bound is not None else ""),
        "referrals": [(key, label, str(text)) for key, label, text in REFERRALS],
        "merge_candidates": merge_candidates,
        "finished": case.status not in INTAKE_STATUSES,
        "cited": cite,
        "masked_phone": crypto.mask_phone(case.phone),
    }


def _render_step(request: HttpRequest, case: Case, **kwargs: Any) -> HttpResponse:
    return render(
        request, "cases/workbench/_next_step.html", _step_context(request, case, **kwargs)
    )


@require_GET
@staff_page(*WORKBENCH_ROLES)
def workbench_case(request: HttpRequest, number: str) -> HttpResponse:
    """A saved case on the workbench, with its next step; ``?cite=`` starts the answer from an
    article of the knowledge base."""
    case = case_or_404(request, number)
    cite = get_published_article(request.GET.get("cite"))
    context = _step_context(request, case, cite=cite)
    return _page(request, {**context, "step_view": True})


@require_POST
@staff_page(*WORKBENCH_ROLES)
def next_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    """Take one next step on the case: accept, resolve, dispatch, decline or merge."""
    form_class = NEXT_STEPS.get(step)
    if form_class is None:
        raise Http404(step)
    case = case_or_404(request, number)
    form = form_class(request.POST, user=request.user, case=case)
    done = form.run()
    if done is None:
        # The case as it is now: a refusal may mean someone else moved it on meanwhile.
        case = case_or_404(request, number)
        if is_htmx(request):
            return _render_step(request, case, bound=form)
        context = _step_context(request, case, bound=form)
        return _page(request, {**context, "step_view": True})
    done = case_or_404(request, number)
    notice = _done_notice(step, done)
    if is_htmx(request):
        return _render_step(request, done, notice=notice)
    messages.success(request, notice)
    return redirect("cases:workbench_case", number=done.number)


def _done_notice(step: str, case: Case) -> str:
    values = {"number": case.number}
    if step == "accept":
        return _("Case %(number)s was accepted.") % values
    if step == "resolve":
        return _("Case %(number)s was resolved directly.") % values
    if step == "dispatch":
        unit = case.handling_org.name if case.handling_org else ""
        return _("Case %(number)s was dispatched to %(unit)s.") % {**values, "unit": unit}
    if step == "decline":
        return _("Case %(number)s was declined; the worker is told where to turn.") % values
    into = case.merged_into.number if case.merged_into else ""
    return _("Case %(number)s was merged into %(into)s.") % {**values, "into": into}


# --- what appears beside the form as the agent types ---------------------------------------------


@require_GET
@staff_page(*WORKBENCH_ROLES)
def screen_pop(request: HttpRequest) -> HttpResponse:
    """The caller's earlier cases, once the phone number is complete; with ``case``, the other
    cases of that case's caller (the page names the case, so the phone stays out of the page)."""
    current = case_or_404(request, request.GET["case"][:20]) if request.GET.get("case") else None
    raw = current.phone if current is not None else request.GET.get("phone", "")[:30]
    phone = crypto.normalize_phone(raw)
    complete = crypto.is_valid_phone(phone)
    cases = with_badges(selectors.screen_pop(phone, user=request.user)) if complete else []
    if current is not None:
        cases = [case for case in cases if case.pk != current.pk]
        phone = crypto.mask_phone(phone)
    open_count = sum(1 for case in cases if case.status in BEING_HANDLED)
    context = {"phone": phone, "complete": complete, "cases": cases, "open_count": open_count}
    return render(request, "cases/workbench/_screen_pop.html", context)


@require_POST
@staff_page(*WORKBENCH_ROLES)
def duplicates(request: HttpRequest) -> HttpResponse:
    """Recent cases like the one being typed: same phone or employer, similar words.

    A POST only because a request's text is too long for a URL; nothing is written.
    """
    hints = with_badges(
        selectors.duplicate_hints(
            request.POST.get("phone", "")[:30],
            request.POST.get("employer_name", "")[:200],
            request.POST.get("description", "")[:MAX_HINT_TEXT],
            user=request.user,
        )
    )
    return render(request, "cases/workbench/_duplicates.html", {"hints": hints})


@require_GET
@staff_page(*WORKBENCH_ROLES)
def county_options(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of the counties of the chosen prefecture."""
    counties = workbench_selectors.counties(request.user, request.GET.get("prefecture", "")[:6])
    return render(request, "cases/workbench/_county_options.html", {"counties": counties})


@require_GET
@staff_page(*WORKBENCH_ROLES)
def knowledge(request: HttpRequest) -> HttpResponse:
    """Knowledge articles for the words typed; with no words, those of the chosen category."""
    text = request.GET.get("q", "").strip()[:200]
    code = request.GET.get("category", "").strip()[:20]
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if text:
        articles = search_articles(text, limit=KNOWLEDGE_RESULTS)
    else:
        articles = search_articles("", category=category, limit=KNOWLEDGE_RESULTS)
    context = {"articles": articles, "text": text, "category": category}
    return render(request, "cases/workbench/_knowledge.html", context)


urlpatterns = [
    path("workbench/", workbench, name="workbench"),
    path("workbench/screen-pop/", screen_pop, name="workbench_screen_pop"),
    path("workbench/duplicates/", duplicates, name="workbench_duplicates"),
    path("workbench/counties/", county_options, name="workbench_counties"),
    path("workbench/knowledge/", knowledge, name="workbench_knowledge"),
    path("workbench/case/<str:number>/", workbench_case, name="workbench_case"),
    path("workbench/case/<str:number>/<str:step>/", next_step, name="workbench_step"),
]
