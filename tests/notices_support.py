"""Real mail services on loopback for the notice tests: an SMTP server (aiosmtpd) and a stand-in
for GOV.UK Notify's API that checks the client's signed token and answers as Notify does."""
from __future__ import annotations

import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_API_KEY = f"local_reach_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


def _free_port() -> int:
    """A port free on loopback now (aiosmtpd needs a number before it starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Recorder:
    """aiosmtpd handler: keeps each accepted message; refuses every one while ``refuse`` is set.

    With ``refuse_recipients`` set it refuses each recipient instead, naming the address in
    its reply, as real servers do ("550 <address>: no such mailbox").
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self.refuse_recipients = False
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if self.refuse_recipients:
            self.refused += 1
            return f"550 5.1.1 <{address}>: no such mailbox (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            self.refused += 1
            return "451 4.3.0 Mail server temporarily unavailable (test)"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An aiosmtpd SMTP server on 127.0.0.1 (a free port), started and stopped by the tests."""

    def __init__(self, port: int | None = None) -> None:
        self.recorder = _Recorder()
        self.port = port or _free_port()
        self.controller = None
        self.start()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class NotifyStandIn:
    """Answers POST /v2/notifications/email as GOV.UK Notify's API does (201 and the notification),
    after checking the request's JWT with Notify's own decoder; ``fail_with`` answers an error instead."""

    received: list[dict] = field(default_factory=list)
    fail_with: int | None = None
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
                from notifications_python_client.errors import TokenError

                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    if get_token_issuer(token) != SERVICE_ID:
                        raise TokenError("wrong service", token)
                    decode_jwt_token(token, SECRET)
                except TokenError:
                    return self._answer(403, {"status_code": 403, "errors": [
                        {"error": "AuthError", "message": "Invalid token: signature, api token not found"}]})
                if self.path != "/v2/notifications/email":
                    return self._answer(404, {"status_code": 404, "errors": [{"error": "NotFound"}]})
                if stand_in.fail_with:
                    return self._answer(stand_in.fail_with, {"status_code": stand_in.fail_with, "errors": [
                        {"error": "Exception", "message": "Internal server error"}]})
                if body.get("template_id") != TEMPLATE_ID or "email_address" not in body:
                    return self._answer(400, {"status_code": 400, "errors": [
                        {"error": "BadRequestError", "message": "Template not found"}]})
                stand_in.received.append(body)
                return self._answer(201, {
                    "id": str(uuid.uuid4()), "reference": body.get("reference"),
                    "content": {"subject": body["personalisation"]["subject"],
                                "body": body["personalisation"]["body"], "from_email": "local.reach@notifications.service.gov.uk"},
                    "uri": "http://127.0.0.1/v2/notifications/x",
                    "template": {"id": TEMPLATE_ID, "version": 1, "uri": "http://127.0.0.1/v2/template/x"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
