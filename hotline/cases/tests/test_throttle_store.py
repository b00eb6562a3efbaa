"""The store of the public rate limits: one counter row per identity, limit and window."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from hotline.cases.models import ThrottleCount
from hotline.cases.tasks import delete_ended_throttle_windows
from hotline.cases.throttling import Rate, delete_ended_windows, hit

START = datetime.datetime(2025, 3, 3, 10, 0, 5, tzinfo=datetime.UTC)
THREE_A_MINUTE = Rate(3, 60)


def test_each_request_is_one_statement(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) is None
    with django_assert_num_queries(1):
        assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) is None
    row = ThrottleCount.objects.get()
    assert row.hits == 2
    # The identity is stored as an HMAC, never in clear.
    assert "10.0.0.1" not in row.key and row.key.startswith("lookup_ip:")


def test_a_window_refuses_past_its_count_and_rolls_over_at_its_end(db, clock):
    clock.set(START)
    for _ in range(3):
        assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) is None
    assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) == pytest.approx(55)
    clock.advance(seconds=54)
    assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) == pytest.approx(1)
    clock.advance(seconds=1)  # 10:01:00, a new window
    assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) is None
    assert sorted(ThrottleCount.objects.values_list("hits", flat=True)) == [1, 5]


def test_identities_and_limits_count_apart(db, clock):
    clock.set(START)
    for _ in range(3):
        hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE)
    assert hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE) is not None
    # Another address, and the same address under another limit, start from nothing.
    assert hit("lookup_ip", "10.0.0.2", THREE_A_MINUTE) is None
    assert hit("rating_ip", "10.0.0.1", THREE_A_MINUTE) is None
    # The same limit name with a longer window is another window.
    assert hit("lookup_ip", "10.0.0.1", Rate(3, 3600)) is None
    assert ThrottleCount.objects.count() == 4


def test_the_cleanup_deletes_only_ended_windows(db, clock):
    clock.set(START)
    hit("lookup_ip", "10.0.0.1", THREE_A_MINUTE)  # ends 10:01:00
    hit("intake_ip", "10.0.0.1", Rate(30, 3600))  # ends 11:00:00
    clock.set(START.replace(minute=1, second=0))
    assert delete_ended_windows() == 1
    assert ThrottleCount.objects.get().key.startswith("intake_ip:")
    clock.set(START.replace(hour=11, minute=0, second=0))
    assert delete_ended_throttle_windows.call() == 1
    assert not ThrottleCount.objects.exists()


def test_the_cleanup_of_nothing_deletes_nothing(db):
    assert delete_ended_windows() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_all_counted():
    threads, per_thread = 8, 25
    barrier = threading.Barrier(threads)
    results: list[float | None] = []
    lock = threading.Lock()

    def hammer() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                wait = hit("lookup_ip", "10.9.9.9", Rate(150, 3600))
                with lock:
                    results.append(wait)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert ThrottleCount.objects.get().hits == threads * per_thread
    assert sum(wait is None for wait in results) == 150
