"""Send one e-mail: by SMTP (the standard library) or by GOV.UK Notify, chosen in configuration."""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

logger = logging.getLogger(__name__)

BACKENDS = ("smtp", "govuk_notify")
MAX_ERROR = 480


@dataclass(frozen=True)
class Mail:
    """One notice as it leaves: the address, a subject and a short plain-text body."""

    to: str
    subject: str
    body: str
    reference: str


class SendError(RuntimeError):
    """The mail service did not accept the notice (it will be tried again)."""


class Sender(Protocol):
    def send(self, mail: Mail) -> None: ...


class SmtpSender:
    """Hand mail to an SMTP server (MAIL_HOST:MAIL_PORT, optional STARTTLS or TLS, optional login)."""

    def __init__(self, config: dict) -> None:
        self._config = config

    def send(self, mail: Mail) -> None:
        c = self._config
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = c["MAIL_FROM"], mail.to, mail.subject
        message["Message-ID"] = make_msgid(idstring=mail.reference)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
        message.set_content(mail.body)
        smtp_class = smtplib.SMTP_SSL if c.get("MAIL_SSL") else smtplib.SMTP
        try:
            with smtp_class(c["MAIL_HOST"], int(c["MAIL_PORT"]), timeout=float(c["MAIL_TIMEOUT"])) as smtp:
                if c.get("MAIL_STARTTLS") and not c.get("MAIL_SSL"):
                    smtp.starttls(context=ssl.create_default_context())
                if c.get("MAIL_USERNAME"):
                    smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD") or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError, ValueError) as exc:  # ValueError: an address the header refuses
            raise SendError(f"mail server {c['MAIL_HOST']}:{c['MAIL_PORT']}: {exc.__class__.__name__}: {exc}"[:MAX_ERROR]) from exc


class NotifySender:
    """Send through GOV.UK Notify with its official client, using one e-mail template.

    The template's subject is ``((subject))`` and its body ``((body))`` (README: "GOV.UK Notify").
    """

    def __init__(self, config: dict) -> None:
        self._config = config

    def send(self, mail: Mail) -> None:
        import requests
        from notifications_python_client.errors import APIError
        from notifications_python_client.notifications import NotificationsAPIClient

        c = self._config
        if not c.get("NOTIFY_API_KEY") or not c.get("NOTIFY_TEMPLATE_ID"):
            raise SendError("GOV.UK Notify is chosen but NOTIFY_API_KEY or NOTIFY_TEMPLATE_ID is not set")
        try:
            client = NotificationsAPIClient(c["NOTIFY_API_KEY"], base_url=c["NOTIFY_BASE_URL"],
                                            timeout=float(c["MAIL_TIMEOUT"]))
            client.send_email_notification(email_address=mail.to, template_id=c["NOTIFY_TEMPLATE_ID"],
                                           personalisation={"subject": mail.subject, "body": mail.body},
                                           reference=mail.reference)
        except (APIError, requests.RequestException) as exc:
            raise SendError(f"GOV.UK Notify: {exc.__class__.__name__}: {exc}"[:MAX_ERROR]) from exc


def sender_for(config: dict) -> Sender:
    """The sender NOTIFY_BACKEND chooses."""
    backend = config.get("NOTIFY_BACKEND")
    if backend == "smtp":
        return SmtpSender(config)
    if backend == "govuk_notify":
        return NotifySender(config)
    raise SendError(f"no mail service is configured (NOTIFY_BACKEND={backend!r}; choose one of {', '.join(BACKENDS)})")
