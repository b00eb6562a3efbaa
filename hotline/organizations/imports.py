"""Import of grassroots unions from a CSV or Excel (.xlsx) file, all or nothing.

Each row names a union, its administrative division, its parent organization (by exact name or by
credit code) and optionally its credit code, formation and contact. Every row is checked before
anything is written; if any row is bad, the report lists every bad row with its line number as the
user sees it in the file (the header is line 1) and nothing is imported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hotline.core import tabular
from hotline.core.errors import DomainError

from . import services
from .models import Division, Level, Organization
from .scoping import visible_organizations
from .validators import is_valid_credit_code, is_valid_phone, normalize_phone

if TYPE_CHECKING:
    from hotline.accounts.models import User

MAX_ROWS = 20_000
MAX_FILE_BYTES = 20 * 1024 * 1024
# A title row or two often stands above the header in spreadsheets made for people.
HEADER_SEARCH_ROWS = 10

NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
CONTACT_NAME_MAX_LENGTH = Organization._meta.get_field("contact_name").max_length
CONTACT_PHONE_MAX_LENGTH = Organization._meta.get_field("contact_phone").max_length

# Accepted headers for each field, compared without spaces, asterisks and letter case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "name", "工会名称", "组织名称", "基层工会名称"),
    "credit_code": ("统一社会信用代码", "credit_code", "信用代码"),
    "division_code": ("行政区划代码", "division_code", "区划代码"),
    "parent": ("上级组织", "parent", "上级工会"),
    "formation": ("建会方式", "formation"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "contact_phone", "电话"),
}
REQUIRED_COLUMNS = ("name", "division_code", "parent")

FORMATIONS = {
    "单独": "single",
    "单独建会": "single",
    "single": "single",
    "联合": "joint",
    "联合建会": "joint",
    "joint": "joint",
    "行业": "industry",
    "行业建会": "industry",
    "industry": "industry",
}

_SIX_DIGITS = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class RowError:
    """Everything wrong with one line of the file."""

    line: int
    problems: list[Problem]

    @property
    def messages(self) -> list[str]:
        return [problem.message for problem in self.problems]

    @property
    def codes(self) -> list[str]:
        return [problem.code for problem in self.problems]


@dataclass
class ImportReport:
    """The outcome of one import: how many rows were read and created, and the bad rows."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_for_line(self, line: int) -> RowError | None:
        return next((error for error in self.errors if error.line == line), None)

    def summary(self) -> str:
        if self.errors:
            return _("%(count)d of %(rows)d rows have errors; nothing was imported.") % {
                "count": len(self.errors),
                "rows": self.rows,
            }
        if self.dry_run:
            return _("%(rows)d rows checked, no errors; nothing was imported (dry run).") % {
                "rows": self.rows
            }
        return _("%(count)d grassroots unions imported.") % {"count": self.created}


@dataclass
class _Row:
    line: int
    name: str = ""
    credit_code: str = ""
    division_code: str = ""
    parent: str = ""
    formation: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    problems: list[Problem] = field(default_factory=list)
    division: Division | None = None
    parent_org: Organization | None = None

    def refuse(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, message))


def import_organizations(
    rows_source: str | Path | bytes | IO[bytes], *, dry_run: bool, actor: User | None = None
) -> ImportReport:
    """Check every row of ``rows_source`` and, unless ``dry_run`` or a row is bad, create them.

    ``rows_source`` is a path, the file's bytes or a binary file object (an upload). With ``actor``
    only organizations in the actor's subtree can be parents. Problems with the file as a whole
    (unreadable, missing columns, too many rows) raise ``DomainError``; bad rows are reported.
    """
    header, ignored, records = _read_records(
        tabular.read_upload(rows_source, max_bytes=MAX_FILE_BYTES)
    )
    report = ImportReport(dry_run=dry_run, ignored_columns=ignored)
    rows = []
    for line, values in records:
        if len(rows) == MAX_ROWS:
            raise DomainError(
                "import.too_many_rows",
                _("The file has more than %(max)d rows; split it into smaller files.")
                % {"max": MAX_ROWS},
            )
        cells = {
            name: values[index] if index < len(values) else "" for name, index in header.items()
        }
        rows.append(_parse_row(line, cells))
    if not rows:
        raise DomainError("import.no_rows", _("The file has no rows below its header."))
    report.rows = len(rows)
    parents = Organization.objects.all() if actor is None else visible_organizations(actor)
    _check_against_database(rows, parents.select_related("division"))
    _check_within_file(rows)
    report.errors = [RowError(row.line, row.problems) for row in rows if row.problems]
    if report.errors or dry_run:
        return report
    report.created = _create(rows)
    return report


def _read_records(
    data: bytes,
) -> tuple[dict[str, int], list[str], Iterator[tuple[int, list[str]]]]:
    """The header (field name to column index), the titles of ignored columns, the data rows."""
    table = tabular.rows(data, excel=True)
    header: dict[str, int] = {}
    titles: list[str] = []
    for line, cells in table:
        header = _match_header(cells)
        if "name" in header:
            titles = cells
            break
        if line >= HEADER_SEARCH_ROWS:
            break
    if "name" not in header:
        raise DomainError(
            "import.no_header",
            _("No header row found: the first row must name the columns, e.g. %(columns)s.")
            % {"columns": "、".join(aliases[0] for aliases in COLUMNS.values())},
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise DomainError(
            "import.missing_columns",
            _("Missing columns: %(columns)s.")
            % {"columns": "、".join(COLUMNS[name][0] for name in missing)},
        )
    used = set(header.values())
    ignored = [title for index, title in enumerate(titles) if title and index not in used]

    def records() -> Iterator[tuple[int, list[str]]]:
        for line, cells in table:
            if any(cells):
                yield line, cells

    return header, ignored, records()


_HEADER_KEYS = {
    tabular.header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases
}


def _match_header(cells: list[str]) -> dict[str, int]:
    header: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _HEADER_KEYS.get(tabular.header_key(cell))
        if name is None:
            continue
        if name in header:
            raise DomainError(
                "import.duplicate_column",
                _("The column %(column)s appears twice.") % {"column": cell},
            )
        header[name] = index
    return header


def _parse_row(line: int, values: dict[str, str]) -> _Row:
    """The row's fields, normalized, with the problems that need no database to find."""
    row = _Row(line=line, **values)
    if not row.name:
        row.refuse("name.required", _("The name is required."))
    elif len(row.name) > NAME_MAX_LENGTH:
        row.refuse(
            "name.too_long",
            _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH},
        )
    if not row.division_code:
        row.refuse("division.required", _("The administrative division code is required."))
    if not row.parent:
        row.refuse("parent.required", _("The parent organization is required."))
    if row.formation:
        formation = FORMATIONS.get(row.formation.lower())
        if formation is None:
            row.refuse(
                "formation.unknown",
                _("Unknown formation %(value)s: use 单独, 联合 or 行业.")
                % {"value": row.formation},
            )
        row.formation = formation or ""
    row.credit_code = row.credit_code.upper()
    if row.credit_code and not is_valid_credit_code(row.credit_code):
        row.refuse(
            "credit_code.invalid",
            _(
                "The credit code %(code)s is not valid: it needs 18 characters and the right "
                "check character."
            )
            % {"code": row.credit_code},
        )
    if len(row.contact_name) > CONTACT_NAME_MAX_LENGTH:
        row.refuse(
            "contact_name.too_long",
            _("The contact person's name is longer than %(max)d characters.")
            % {"max": CONTACT_NAME_MAX_LENGTH},
        )
    if row.contact_phone:
        row.contact_phone = normalize_phone(row.contact_phone)
        if (
            not is_valid_phone(row.contact_phone)
            or len(row.contact_phone) > CONTACT_PHONE_MAX_LENGTH
        ):
            row.refuse(
                "contact_phone.invalid",
                _(
                    "The contact phone %(phone)s is not a mobile number or a landline number "
                    "with its area code."
                )
                % {"phone": row.contact_phone},
            )
    return row


def _in_chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    # Keeps every IN (...) list under SQLite's limit on query parameters.
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_against_database(rows: list[_Row], parents: QuerySet[Organization]) -> None:
    """Resolve divisions and parents; refuse what the database contradicts."""
    divisions = {division.code: division for division in Division.objects.all()}
    references = {row.parent for row in rows if row.parent}
    by_code: dict[str, Organization] = {}
    by_name: dict[str, list[Organization]] = defaultdict(list)
    for chunk in _in_chunks({reference.upper() for reference in references}):
        by_code.update((org.credit_code, org) for org in parents.filter(credit_code__in=chunk))
    for chunk in _in_chunks(references):
        for org in parents.filter(name__in=chunk):
            by_name[org.name].append(org)

    for row in rows:
        if row.division_code:
            row.division = divisions.get(row.division_code)
            if row.division is None:
                row.refuse(
                    "division.unknown",
                    _("No administrative division has the code %(code)s.")
                    % {"code": row.division_code},
                )
        if row.parent:
            row.parent_org = _resolve_parent(row, by_code, by_name)
        if row.parent_org is not None:
            try:
                services.check_child_level(row.parent_org, Level.GRASSROOTS)
            except DomainError as refused:
                row.refuse(refused.code, refused.message)
            parent_division = row.parent_org.division
            if row.division is not None and not row.division.code.startswith(
                parent_division.prefix
            ):
                row.refuse(
                    "division.outside_parent",
                    _("%(division)s is not inside %(parent_division)s, the division of %(parent)s.")
                    % {
                        "division": row.division,
                        "parent": row.parent_org.name,
                        "parent_division": parent_division,
                    },
                )

    codes = {row.credit_code for row in rows if row.credit_code}
    taken: set[str] = set()
    for chunk in _in_chunks(codes):
        taken.update(
            Organization.objects.filter(credit_code__in=chunk).values_list("credit_code", flat=True)
        )
    named_rows = [row for row in rows if row.parent_org is not None and row.name]
    existing: set[tuple[int, str]] = set()
    parent_ids = {row.parent_org.pk for row in named_rows if row.parent_org}
    for chunk in _in_chunks({row.name for row in named_rows}):
        existing.update(
            Organization.objects.filter(parent_id__in=parent_ids, name__in=chunk).values_list(
                "parent_id", "name"
            )
        )
    for row in rows:
        if row.credit_code in taken:
            row.refuse(
                "credit_code.taken",
                _("The credit code %(code)s already belongs to another organization.")
                % {"code": row.credit_code},
            )
        if row.parent_org is not None and (row.parent_org.pk, row.name) in existing:
            row.refuse(
                "name.exists",
                _("%(parent)s already has a union named %(name)s.")
                % {"parent": row.parent_org.name, "name": row.name},
            )


def _resolve_parent(
    row: _Row, by_code: dict[str, Organization], by_name: dict[str, list[Organization]]
) -> Organization | None:
    found = by_code.get(row.parent.upper())
    if found is not None:
        return found
    named = by_name.get(row.parent, [])
    if len(named) == 1:
        return named[0]
    if named:
        row.refuse(
            "parent.ambiguous",
            _(
                "%(count)d organizations are named %(parent)s: give the parent's credit code "
                "instead."
            )
            % {"count": len(named), "parent": row.parent},
        )
    else:
        row.refuse(
            "parent.not_found",
            _("No organization is named %(parent)s or has it as credit code.")
            % {"parent": row.parent},
        )
    return None


def _check_within_file(rows: list[_Row]) -> None:
    """Refuse a credit code, or a name under one parent, that an earlier row already has."""
    code_lines: dict[str, int] = {}
    name_lines: dict[tuple[int, str], int] = {}
    for row in rows:
        if row.credit_code:
            first = code_lines.setdefault(row.credit_code, row.line)
            if first != row.line:
                row.refuse(
                    "credit_code.duplicate",
                    _("The credit code %(code)s is also on line %(line)d.")
                    % {"code": row.credit_code, "line": first},
                )
        if row.parent_org is not None and row.name:
            first = name_lines.setdefault((row.parent_org.pk, row.name), row.line)
            if first != row.line:
                row.refuse(
                    "name.duplicate",
                    _("A union with this name and parent is also on line %(line)d.")
                    % {"line": first},
                )


def _create(rows: list[_Row]) -> int:
    """Create every row, grouped by parent, in one transaction."""
    by_parent: dict[int, tuple[Organization, list[services.NewOrganization]]] = {}
    for row in rows:
        assert row.parent_org is not None and row.division is not None
        _, children = by_parent.setdefault(row.parent_org.pk, (row.parent_org, []))
        children.append(
            services.NewOrganization(
                name=row.name,
                level=Level.GRASSROOTS,
                division=row.division,
                credit_code=row.credit_code or None,
                formation=row.formation,
                contact_name=row.contact_name,
                contact_phone=row.contact_phone,
            )
        )
    created = 0
    try:
        with transaction.atomic():
            for parent, children in by_parent.values():
                created += len(services.create_children(parent, children))
    except IntegrityError:
        # A credit code was taken between the check and the write.
        raise DomainError(
            "import.conflict",
            _("The data changed while importing; nothing was imported. Please try again."),
        ) from None
    return created
