"""Demo data: Qinghai's union tree as it really is, a few hundred grassroots unions, accounts.

Everything is generated from ``data/demo_catalog.json`` with a fixed seed, so every run plans the
same organizations with the same names and codes. Loading is idempotent: an organization is known
by its parent and name, an account by its username; what exists already is left as it is.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts import services as account_services
from hotline.accounts.models import Role, User

from . import services
from .divisions import load_divisions, read_divisions
from .models import Division, Formation, Level, Organization
from .services import NewOrganization
from .validators import CREDIT_CODE_ALPHABET, credit_code_check_char

DEFAULT_PASSWORD = "qinghai12351"
CATALOG_PATH = Path(__file__).resolve().parent / "data" / "demo_catalog.json"
SEED = 12351

# Unified social credit code prefixes (GB 32100): registration authority and organization type.
ENTERPRISE = "91"
COOPERATIVE = "93"
INSTITUTION = "12"
STATE_ORGAN = "11"
UNION = "81"

# Where each demo account sits: "province", or the division code of its federation.
PROVINCE = "province"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    at: str
    roles: tuple[str, ...]
    name: str
    superuser: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("province_admin", PROVINCE, (Role.ADMIN,), "王立新", superuser=True),
    DemoAccount("province_agent", PROVINCE, (Role.AGENT,), "李秀兰"),
    DemoAccount("province_lawyer", PROVINCE, (Role.LAWYER,), "赵文静"),
    DemoAccount("province_dispatcher", PROVINCE, (Role.DISPATCHER,), "马建国"),
    DemoAccount("province_supervisor", PROVINCE, (Role.SUPERVISOR,), "祁德明"),
    DemoAccount("province_leader", PROVINCE, (Role.LEADER,), "韩永福"),
    DemoAccount("xining_dispatcher", "630100", (Role.DISPATCHER, Role.SUPERVISOR), "张海燕"),
    DemoAccount("xining_leader", "630100", (Role.LEADER,), "刘国栋"),
    DemoAccount("chengdong_handler", "630102", (Role.HANDLER,), "冶生福"),
    DemoAccount("chengzhong_handler", "630103", (Role.HANDLER,), "杨玉梅"),
    DemoAccount("haixi_dispatcher", "632800", (Role.DISPATCHER,), "多杰才让"),
    DemoAccount("golmud_handler", "632801", (Role.HANDLER,), "拉毛卓玛"),
    DemoAccount("hualong_handler", "630224", (Role.HANDLER,), "马福海"),
)


@dataclass
class DemoSummary:
    """What one run of ``load_demo`` found and did."""

    organizations_created: int = 0
    organizations_total: int = 0
    grassroots_total: int = 0
    users_created: int = 0
    users_existing: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "Organizations: %(created)d created, %(total)d in total (%(grassroots)d grassroots "
            "unions). Demo accounts: %(users)d created, %(existing)d already present."
        ) % {
            "created": self.organizations_created,
            "total": self.organizations_total,
            "grassroots": self.grassroots_total,
            "users": self.users_created,
            "existing": len(self.users_existing),
        }


@dataclass(frozen=True)
class _Planned:
    """One organization to have below a parent, named by the key of that parent in the plan."""

    parent_key: str
    key: str
    new: NewOrganization


@cache
def _catalog() -> dict[str, Any]:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


def load_demo(password: str) -> DemoSummary:
    """Create the demo tree and accounts that are missing; change nothing that exists."""
    catalog = _catalog()
    summary = DemoSummary()
    with transaction.atomic():
        if Division.objects.count() < len(read_divisions()):
            load_divisions(Division)
        divisions = {division.code: division for division in Division.objects.all()}
        root = Organization.objects.filter(parent__isnull=True).first()
        if root is None:
            province = catalog["province"]
            root = services.create_root(
                name=province["name"], division=divisions[province["division"]]
            )
            summary.organizations_created += 1
        by_key = {PROVINCE: root}
        existing = {(org.parent_id, org.name): org for org in Organization.objects.all()}
        taken_codes = {org.credit_code for org in existing.values() if org.credit_code}
        for parent_key, planned in _by_parent(_plan(divisions)):
            parent = by_key[parent_key]
            missing = []
            for item in planned:
                found = existing.get((parent.pk, item.new.name))
                if found is not None:
                    by_key[item.key] = found
                elif item.new.credit_code in taken_codes:
                    # Someone else's organization holds the code: keep the union, drop the code.
                    missing.append((item, replace(item.new, credit_code=None)))
                else:
                    missing.append((item, item.new))
            created = services.create_children(parent, [new for _, new in missing])
            for (item, _), organization in zip(missing, created, strict=True):
                by_key[item.key] = organization
            summary.organizations_created += len(created)
        federations = {key: org for key, org in by_key.items() if not key.startswith("g:")}
        summary.users_created, summary.users_existing = _load_accounts(federations, password)
    summary.organizations_total = Organization.objects.count()
    summary.grassroots_total = Organization.objects.filter(level=Level.GRASSROOTS).count()
    return summary


def _by_parent(plan: list[_Planned]) -> Iterator[tuple[str, list[_Planned]]]:
    """The plan grouped by parent, each parent's group after the group that creates the parent."""
    groups: dict[str, list[_Planned]] = {}
    for item in plan:
        groups.setdefault(item.parent_key, []).append(item)
    yield from groups.items()


def _load_accounts(federations: dict[str, Organization], password: str) -> tuple[int, list[str]]:
    present = set(
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    created = 0
    for account in DEMO_ACCOUNTS:
        if account.username in present:
            continue
        account_services.create_user(
            username=account.username,
            organization=federations[account.at],
            roles=account.roles,
            password=password,
            name=account.name,
            is_staff=account.superuser,
            is_superuser=account.superuser,
        )
        created += 1
    return created, sorted(present)


def _plan(divisions: dict[str, Division]) -> list[_Planned]:
    """Every organization below the root, parents before children, the same on every run."""
    catalog = _catalog()
    rng = random.Random(SEED)
    people = _People(rng, catalog)
    codes = _CreditCodes(rng)
    used_names: set[str] = set()
    plan: list[_Planned] = []

    def add(parent_key: str, key: str, new: NewOrganization) -> None:
        used_names.add(new.name)
        plan.append(_Planned(parent_key, key, new))

    def grassroots(division: Division, name: str, kind: str, formation: str) -> NewOrganization:
        contact_name, contact_phone = people.contact(division)
        return NewOrganization(
            name=name,
            level=Level.GRASSROOTS,
            division=division,
            credit_code=codes.issue(kind, division.code),
            formation=formation,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )

    for code, name in catalog["prefectures"].items():
        add(
            PROVINCE,
            code,
            NewOrganization(name=name, level=Level.PREFECTURE, division=divisions[code]),
        )
    for union_name in catalog["industrial_unions"]:
        new = NewOrganization(name=union_name, level=Level.INDUSTRIAL, division=divisions["630000"])
        add(PROVINCE, f"i:{union_name}", new)

    counties = catalog["counties"]
    for code, county in counties.items():
        division = divisions[code]
        new = NewOrganization(name=county["federation"], level=Level.COUNTY, division=division)
        add(division.parent_id, code, new)
    for code, county in counties.items():
        division = divisions[code]
        local = county["federation"].removesuffix("总工会").removesuffix("工会")
        for township, kind in county.get("townships", {}).items():
            township_key = f"t:{code}:{township}"
            new = NewOrganization(
                name=f"{local}{township}工会", level=Level.TOWNSHIP, division=division
            )
            add(code, township_key, new)
            if kind == "community":
                pattern, words, formation = "{local}{word}社区工会", "communities", Formation.JOINT
            else:
                pattern, words, formation = "{township}{word}村工会", "villages", Formation.SINGLE
            # Names are unique in the demo, so that the import can find any of them by name.
            names = [
                name
                for word in catalog[words]
                if (name := pattern.format(local=local, township=township, word=word))
                not in used_names
            ]
            for name in rng.sample(names, 2):
                add(township_key, f"g:{name}", grassroots(division, name, UNION, formation))

    for union_name, members in catalog["industrial_unions"].items():
        for name, division_code, kind, *formation in members:
            new = grassroots(divisions[division_code], name, kind, (formation or ["single"])[0])
            add(f"i:{union_name}", f"g:{name}", new)
    for division_code, name, formation in catalog["special_unions"]:
        add(
            division_code, f"g:{name}", grassroots(divisions[division_code], name, UNION, formation)
        )

    for code, county in counties.items():
        division = divisions[code]
        for name, kind in _county_unions(rng, catalog, county, used_names):
            add(code, f"g:{name}", grassroots(division, name, kind, Formation.SINGLE))
    return plan


def _county_unions(
    rng: random.Random, catalog: dict[str, Any], county: dict[str, Any], used: set[str]
) -> Iterator[tuple[str, str]]:
    """Names and credit-code kinds of a county's own grassroots unions: a hospital, a school,
    then enterprises and cooperatives of the county's economy."""
    institutions = catalog["public_institutions"]
    for kind in ("hospital", "school"):
        pattern = rng.choice(institutions[kind])
        yield pattern.format(local=county["local"]) + "工会", INSTITUTION
    for _position in range(county["count"] - 2):
        industry = rng.choice(county["industries"])
        while True:
            pattern = rng.choice(catalog["industries"][industry])
            name = pattern.format(place=county["place"], brand=rng.choice(catalog["brands"]))
            name += "工会"
            if name not in used:
                used.add(name)
                break
        yield name, COOPERATIVE if name.endswith("合作社工会") else ENTERPRISE


class _People:
    """Contact persons with names common in the place, and their phone numbers."""

    def __init__(self, rng: random.Random, catalog: dict[str, Any]) -> None:
        self.rng = rng
        self.catalog = catalog

    def contact(self, division: Division) -> tuple[str, str]:
        rng, catalog = self.rng, self.catalog
        prefecture = division.code[:4] + "00"
        if prefecture in catalog["tibetan_prefectures"] and rng.random() < 0.7:
            name = "".join(rng.sample(catalog["tibetan_names"], 2))
        else:
            name = rng.choice(catalog["surnames"]) + rng.choice(catalog["given_names"])
        if rng.random() < 0.3:
            area_code = (
                catalog["area_codes"].get(division.code) or catalog["area_codes"][prefecture]
            )
            phone = f"{area_code}-{rng.randint(2000000, 8999999)}"
        else:
            phone = rng.choice(("139", "138", "135", "150", "151", "158", "180", "189", "199"))
            phone += f"{rng.randint(0, 99999999):08d}"
        return name, phone


class _CreditCodes:
    """Unified social credit codes that pass both check characters and never repeat."""

    # GB 11714 organization code: eight characters, then a check over them with these weights.
    _WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
    # Codes issued since 2015 start with a letter pair telling who issued them.
    _ISSUER = {ENTERPRISE: "MA", COOPERATIVE: "MA", INSTITUTION: "MB", UNION: "MC"}

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.issued: set[str] = set()

    def issue(self, kind: str, division_code: str) -> str:
        while True:
            issuer = self._ISSUER.get(kind)
            if issuer:
                body = issuer + "".join(self.rng.choices(CREDIT_CODE_ALPHABET, k=6))
            else:
                body = "".join(self.rng.choices("0123456789", k=8))
            code17 = kind + division_code + body + self._organization_check(body)
            code = code17 + credit_code_check_char(code17)
            if code not in self.issued:
                self.issued.add(code)
                return code

    def _organization_check(self, body: str) -> str:
        total = sum(
            int(char, 36) * weight for char, weight in zip(body, self._WEIGHTS, strict=True)
        )
        check = 11 - total % 11
        return {10: "X", 11: "0"}.get(check, str(check))
