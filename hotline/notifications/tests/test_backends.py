"""The HTTP gateway backend against a real HTTP server on 127.0.0.1, and backend selection."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from hotline.notifications import delivery
from hotline.notifications.backends import (
    HttpGatewayBackend,
    LogBackend,
    SmsDeliveryError,
    get_sms_backend,
    mask_phone,
)
from hotline.notifications.models import MessageStatus, OutboxMessage

HTTP_BACKEND = "hotline.notifications.backends.HttpGatewayBackend"


@dataclass
class Gateway:
    """What the fake gateway answers, and what it received."""

    url: str
    status: int = 200
    answer: bytes = b'{"message_id": "gw-42"}'
    delay: float = 0.0
    location: str = ""
    received: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    # A proxy from the environment must not catch requests to the local server.
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            if state.delay:
                time.sleep(state.delay)
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def do_GET(self) -> None:
            state.received.append({"path": self.path, "method": "GET"})
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def backend(gateway: Gateway, **settings: object) -> HttpGatewayBackend:
    values = {"SMS_GATEWAY_URL": gateway.url, "SMS_GATEWAY_TOKEN": "s3cret", **settings}
    with override_settings(**values):
        return HttpGatewayBackend()


def test_the_gateway_backend_posts_json_with_the_bearer_token_and_reads_the_provider_id(gateway):
    provider_id = backend(gateway).send(phone="13912345678", text="工单已受理", message_id=7)
    assert provider_id == "gw-42"
    [request] = gateway.received
    assert request["path"] == "/sms/send"
    assert request["authorization"] == "Bearer s3cret"
    assert request["content_type"].startswith("application/json")
    assert request["body"] == {"phone": "13912345678", "text": "工单已受理", "id": 7}


def test_the_gateway_backend_reads_an_id_field_when_there_is_no_message_id(gateway):
    gateway.answer = b'{"id": 9001, "ok": true}'
    assert backend(gateway).send(phone="13912345678", text="x", message_id=1) == "9001"


def test_a_2xx_answer_that_is_not_json_is_a_success_without_a_provider_id(gateway):
    gateway.status = 202
    gateway.answer = b"accepted"
    assert backend(gateway).send(phone="13912345678", text="x", message_id=1) is None


def test_a_500_from_the_gateway_is_a_failure_with_its_answer(gateway):
    gateway.status = 500
    gateway.answer = b'{"error": "upstream busy"}'
    with pytest.raises(SmsDeliveryError, match=r"HTTP 500.*upstream busy"):
        backend(gateway).send(phone="13912345678", text="x", message_id=1)


def test_a_gateway_slower_than_the_timeout_is_a_failure(gateway):
    gateway.delay = 1.0
    started = time.monotonic()
    with pytest.raises(SmsDeliveryError, match="unreachable"):
        # As a string, the way production copies it from the environment.
        backend(gateway, SMS_GATEWAY_TIMEOUT="0.2").send(
            phone="13912345678", text="x", message_id=1
        )
    assert time.monotonic() - started < 0.9


def test_a_redirect_is_a_failure_and_is_not_followed(gateway):
    gateway.status = 302
    gateway.location = "/elsewhere"
    with pytest.raises(SmsDeliveryError, match="HTTP 302"):
        backend(gateway).send(phone="13912345678", text="x", message_id=1)
    assert [request["path"] for request in gateway.received] == ["/sms/send"]


def test_nothing_listening_is_a_failure(gateway):
    with pytest.raises(SmsDeliveryError, match="unreachable"):
        backend(gateway, SMS_GATEWAY_URL="http://127.0.0.1:9/").send(
            phone="13912345678", text="x", message_id=1
        )


def test_the_gateway_backend_without_a_url_fails_every_message():
    with (
        override_settings(SMS_GATEWAY_URL=""),
        pytest.raises(SmsDeliveryError, match="SMS_GATEWAY_URL"),
    ):
        HttpGatewayBackend().send(phone="13912345678", text="x", message_id=1)


def test_the_gateway_timeout_defaults_to_5_seconds():
    assert HttpGatewayBackend().timeout == 5.0


@pytest.mark.django_db
def test_an_sms_delivered_through_the_gateway_is_marked_sent_with_the_provider_id(case, gateway):
    message = OutboxMessage.objects.create(
        channel="sms", case=case, recipient_phone="13912345678", kind="accepted", body="已受理"
    )
    with override_settings(SMS_BACKEND=HTTP_BACKEND, SMS_GATEWAY_URL=gateway.url):
        assert delivery.deliver(message.pk) == delivery.SENT
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (MessageStatus.SENT, "gw-42")
    assert gateway.received[0]["body"]["id"] == message.pk


@pytest.mark.django_db
def test_an_sms_the_gateway_refuses_is_scheduled_for_a_retry(case, gateway):
    gateway.status = 500
    message = OutboxMessage.objects.create(
        channel="sms", case=case, recipient_phone="13912345678", kind="accepted", body="已受理"
    )
    with override_settings(
        SMS_BACKEND=HTTP_BACKEND, SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_TOKEN="s3cret"
    ):
        assert delivery.deliver(message.pk) == delivery.RETRY
    assert gateway.received[0]["authorization"] == "Bearer s3cret"
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert "HTTP 500" in message.last_error
    assert "s3cret" not in message.last_error


def test_the_default_backend_is_the_log_backend():
    assert isinstance(get_sms_backend(), LogBackend)


@pytest.mark.parametrize(("phone", "masked"), [("13912345678", "139****5678"), ("12345", "*****")])
def test_phones_are_masked_in_the_log(phone, masked):
    assert mask_phone(phone) == masked
