"""Case numbers under concurrent intake: drawn before the intake's transaction when the caller
has none, so the day's counter is not held while a case is written; a failed intake then leaves
its number unused, and numbers stay unique."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from hotline.cases import services
from hotline.cases.models import Case, DailySequence
from hotline.cases.services import intake as intake_service

from .conftest import intake, shanghai


class Broken(Exception):
    pass


def _failing_after_the_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next intake fails inside its transaction, after its number was drawn."""
    real = intake_service.next_event

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(intake_service, "next_event", real)
        raise Broken

    monkeypatch.setattr(intake_service, "next_event", fail_once)


@pytest.mark.django_db(transaction=True)
def test_an_intake_that_fails_leaves_its_number_unused_and_intake_goes_on(
    wage_categories, tree, clock, monkeypatch
):
    clock.set(shanghai(2026, 3, 10, 9, 30))
    first, _ = services.register_case(**intake())
    _failing_after_the_number(monkeypatch)
    with pytest.raises(Broken):
        services.register_case(**intake(phone="13897154321"))
    third, _ = services.register_case(**intake(phone="13997100000"))
    assert (first.number, third.number) == ("2026031000001", "2026031000003")
    assert Case.objects.count() == 2
    assert DailySequence.objects.get(day="2026-03-10").last == 3


def test_inside_the_callers_transaction_a_failed_intake_takes_its_number_back(
    tree, clock, monkeypatch
):
    clock.set(shanghai(2026, 3, 10, 9, 30))
    _failing_after_the_number(monkeypatch)
    with pytest.raises(Broken), transaction.atomic():
        services.register_case(**intake())
    case, _ = services.register_case(**intake())
    assert case.number == "2026031000001"


def test_a_worker_cannot_register_and_accept_at_once(tree):
    with pytest.raises(Exception) as refused:
        services.register_case(**intake(accept=True))
    assert refused.value.code == "case.role_required"
    assert not Case.objects.exists()


def test_an_agent_registers_and_accepts_in_one_step(staff):
    case, created = services.register_case(
        **intake(actor=staff.agent, channel="phone", accept=True)
    )
    assert created and case.status == "accepted"
    assert case.event_count == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes all writers")
def test_an_intake_in_the_middle_of_its_transaction_does_not_hold_up_the_next(
    wage_categories, tree, monkeypatch
):
    services.register_case(**intake())  # the day's counter row exists from here on
    inside, release = threading.Event(), threading.Event()
    real = intake_service.next_event
    slow_thread: list[int] = []

    def wait_inside(*args, **kwargs):
        if threading.get_ident() in slow_thread:
            inside.set()
            release.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(intake_service, "next_event", wait_inside)
    numbers: list[str] = []

    def register(phone: str) -> None:
        try:
            numbers.append(services.register_case(**intake(phone=phone))[0].number)
        finally:
            connection.close()

    def slow() -> None:
        slow_thread.append(threading.get_ident())
        register("13897154321")

    first = threading.Thread(target=slow)
    first.start()
    assert inside.wait(timeout=30)
    # The first intake has drawn its number and sits inside its transaction; another one
    # draws the next number and commits meanwhile.
    second = threading.Thread(target=register, args=("13997100000",))
    second.start()
    second.join(timeout=30)
    finished_while_the_first_waited = not second.is_alive()
    release.set()
    first.join(timeout=30)
    assert finished_while_the_first_waited
    assert len(numbers) == 2 and len(set(numbers)) == 2
    assert Case.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_drawing_a_number_leaves_the_connections_commits_synchronous(wage_categories, tree):
    services.register_case(**intake())
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
