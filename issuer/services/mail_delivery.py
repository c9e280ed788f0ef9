"""Deliver the mail outbox: send what is due, retry what failed, give up in the end.

Runs as background work (``flask --app wsgi mail send``, or a periodic task calling
``deliver_due(context)``), never inside a request: an issuance only ever adds a row. Each
message is claimed with a conditional update before it is sent, so two workers never send
one message twice; the claim also schedules the retry, so a worker that dies mid-send leaves
the message to be tried again later, not lost. Transports: SMTP from ``MAIL_URL``
(``smtp://`` with STARTTLS when the server offers it, ``smtps://`` for TLS from the start,
``user:password@`` to log in), or, with no ``MAIL_URL``, ``.eml`` files in a folder.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from issuer.store.models import Issuer, OutboxMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # then the message is marked failed
# Doubled after each failed attempt: 5, 10, 20, 40 minutes. Also how long a claimed message
# is left to its worker: far beyond the few SMTP timeouts one send may wait out.
FIRST_RETRY = timedelta(minutes=5)
BATCH = 50  # messages read per query
ERROR_LENGTH = 500
SERVICE_NAME = "Competency Credentials"  # the sender's name when MAIL_FROM gives none
# The default sender's domain when PUBLIC_BASE_URL's host is an IP address (no mail domain):
# fine for .eml files in development; production sets MAIL_FROM.
FALLBACK_DOMAIN = "localhost"


def default_sender(base_url: str) -> str:
    """``Competency Credentials <no-reply@host>``, host being PUBLIC_BASE_URL's host name;
    an IP address is no mail domain, so then FALLBACK_DOMAIN."""
    host = urlsplit(base_url).hostname or FALLBACK_DOMAIN
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        host = FALLBACK_DOMAIN
    return formataddr((SERVICE_NAME, f"no-reply@{host}"))


def sender_for(sender: str, issuer_name: str | None) -> str:
    """The From header: the employer's name first ("Riverbend via Competency Credentials"),
    at the configured address."""
    name, address = parseaddr(sender)
    if not issuer_name:
        return sender
    return formataddr((f"{issuer_name} via {name or SERVICE_NAME}", address))


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes: an SMTP server (``url``) or, without one, ``.eml`` files in
    ``folder``; sent as ``sender``."""

    url: str | None
    sender: str
    folder: Path
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.url is not None:
            parts = urlsplit(self.url)
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
                raise ValueError("MAIL_URL must be smtp://host[:port] or smtps://host[:port], "
                                 "with user:password@ before the host to log in")

    @classmethod
    def configured(cls, url: str | None, sender: str | None, instance_path: str,
                   base_url: str) -> MailSettings:
        """From MAIL_URL and MAIL_FROM; the sender defaults to :func:`default_sender`."""
        return cls(url or None, sender or default_sender(base_url),
                   Path(instance_path) / "mail")


@dataclass(frozen=True)
class Claimed:
    """A message this worker has claimed, read out of its row."""

    id: int
    kind: str
    recipient: str
    subject: str
    text: str
    html: str | None
    attempts: int  # including this one
    created_at: datetime
    issuer_name: str | None = None  # the employer the message is from, if any
    issuer_email: str | None = None  # where a learner's reply goes


class MailContext(Protocol):
    """What delivery needs from the service context."""

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def mail(self) -> MailSettings: ...


class Transport(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send ``message``; a line for the log saying where it went."""


class FileTransport:
    """No MAIL_URL (``make run``, development): each message becomes an .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message['X-Outbox-Id']}.eml"
        path.write_bytes(message.as_bytes())
        return f"written to {path}"


class SmtpTransport:
    """One SMTP connection per delivery pass, opened at the first message."""

    def __init__(self, settings: MailSettings) -> None:
        assert settings.url is not None
        parts = urlsplit(settings.url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or ""
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password or "")
        self.timeout = settings.timeout
        self.client: smtplib.SMTP | None = None
        # Why the server could not be reached: the pass's other messages fail with it at
        # once instead of each waiting out its own timeout.
        self.unreachable: Exception | None = None

    def _connect(self) -> smtplib.SMTP:
        tls = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                    context=tls)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            secure = self.implicit_tls
            if not secure and client.has_extn("starttls"):
                client.starttls(context=tls)
                client.ehlo()
                secure = True
            if self.user:
                if not secure:
                    raise smtplib.SMTPNotSupportedError(
                        "the server offers no STARTTLS: the password is not sent in clear")
                client.login(self.user, self.password)
        except BaseException:
            client.close()
            raise
        return client

    def send(self, message: EmailMessage) -> str:
        if self.unreachable is not None:
            raise self.unreachable
        if self.client is None:
            try:
                self.client = self._connect()
            except Exception as error:
                self.unreachable = error
                raise
        try:
            self.client.send_message(message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server refused this message; the connection still serves
        except BaseException:
            self.close()
            raise
        return f"sent through {self.host}:{self.port}"

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


@contextmanager
def transport_for(settings: MailSettings) -> Iterator[Transport]:
    if settings.url is None:
        yield FileTransport(settings.folder)
        return
    smtp = SmtpTransport(settings)
    try:
        yield smtp
    finally:
        smtp.close()


def backoff(attempts: int) -> timedelta:
    """How long after attempt number ``attempts`` the next one is due."""
    return FIRST_RETRY * 2 ** (attempts - 1)


def message_for(mail: Claimed, settings: MailSettings) -> EmailMessage:
    """The MIME message: text/plain, with text/html as its alternative when there is one.
    The Message-ID is the row's, so a receiver can tell a resend from a new message."""
    message = EmailMessage()
    message["From"] = sender_for(settings.sender, mail.issuer_name)
    if mail.issuer_email:
        message["Reply-To"] = mail.issuer_email
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox.{mail.id}.{int(mail.created_at.timestamp())}@{domain}>"
    message["X-Outbox-Id"] = str(mail.id)
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def due(db: Session, now: datetime) -> list[tuple[int, int]]:
    """Up to BATCH queued messages whose time has come: (id, attempts so far)."""
    return [(row.id, row.attempts) for row in db.execute(
        select(OutboxMail.id, OutboxMail.attempts)
        .where(OutboxMail.state == "queued", OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(BATCH))]


def claim(db: Session, mail_id: int, attempts: int, now: datetime) -> Claimed | None:
    """Take message ``mail_id`` for one attempt, if no other worker has taken it since it
    was read with ``attempts`` (the update then matches no row). The claim schedules the
    retry, so a worker that dies mid-send leaves the message for a later pass; the first
    retry comes long after one send can take (SMTP timeouts), so no other worker takes a
    message while it is being sent."""
    won = db.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.state == "queued",
               OutboxMail.attempts == attempts, OutboxMail.next_attempt_at <= now)
        .values(attempts=attempts + 1, next_attempt_at=now + backoff(attempts + 1))
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        return None
    row = db.get_one(OutboxMail, mail_id, populate_existing=True)
    issuer = db.get(Issuer, row.issuer_id) if row.issuer_id is not None else None
    return Claimed(row.id, row.kind, row.recipient, row.subject, row.text_body,
                   row.html_body, row.attempts, row.created_at,
                   issuer.name if issuer else None, (issuer.email or None) if issuer else None)


def _described(error: BaseException, settings: MailSettings) -> str:
    """The error in a line for the desk: what the server said, never the password."""
    if isinstance(error, smtplib.SMTPResponseException):
        said = error.smtp_error.decode(errors="replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        text = f"the mail server answered {error.smtp_code}: {said}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "the mail server refused the recipient: " + "; ".join(
            f"{code} {said.decode(errors='replace')}"
            for code, said in error.recipients.values())
    else:
        text = f"{type(error).__name__}: {error}"
    password = urlsplit(settings.url).password if settings.url else None
    if password:
        text = text.replace(password, "***").replace(unquote(password), "***")
    return " ".join(text.split())[:ERROR_LENGTH]


# Messages whose text holds a sign-in or claim link (only the link's hash is kept
# elsewhere): their text is dropped once sent, so the store and its backups cannot sign in.
CARRIES_A_LINK = frozenset({"sign-in-link", "staff-invitation", "learner-sign-in-link",
                            "credential-issued"})
SENT_LINK_BODY = "(sent; the message held a sign-in link, so its text is not kept)"


def _settle(sessions: sessionmaker[Session], mail: Claimed, error: str | None,
            now: datetime) -> None:
    """Record the attempt: sent, or its error (and failed after the last attempt)."""
    if error is None:
        values: dict[str, object] = {"state": "sent", "sent_at": now, "last_error": None}
        if mail.kind in CARRIES_A_LINK:  # the link signs in: once sent, it is not kept
            values |= {"text_body": SENT_LINK_BODY, "html_body": None}
    else:
        values = {"last_error": error}
        if mail.attempts >= MAX_ATTEMPTS:
            values["state"] = "failed"
    with sessions() as db, db.begin():
        db.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(**values)
                   .execution_options(synchronize_session=False))


def deliver_due(context: MailContext, now: datetime | None = None) -> int:
    """Send every queued message whose time has come, once each; how many were sent.
    ``context``: anything with ``sessions`` and ``mail`` (the ServiceContext); ``now``: the
    time to act at (default: the clock, read at each claim)."""
    clock = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    sessions, sent = context.sessions, 0
    with transport_for(context.mail) as transport:
        while True:
            with sessions() as db, db.begin():
                candidates = due(db, clock())
            if not candidates:
                return sent
            for mail_id, attempts in candidates:
                with sessions() as db, db.begin():
                    mail = claim(db, mail_id, attempts, clock())
                if mail is not None:
                    sent += _attempt(context, transport, mail, clock())


def _attempt(context: MailContext, transport: Transport, mail: Claimed, now: datetime) -> int:
    """Send one claimed message and record how it went; 1 if it was sent."""
    try:
        where = transport.send(message_for(mail, context.mail))
    except Exception as exc:
        error = _described(exc, context.mail)
        gave_up = mail.attempts >= MAX_ATTEMPTS
        (log.error if gave_up else log.warning)(
            "mail %s (%s) attempt %d %s: %s", mail.id, mail.kind, mail.attempts,
            "failed, giving up" if gave_up else "failed, will retry", error)
        _settle(context.sessions, mail, error, now)
        return 0
    log.info("mail %s (%s) %s", mail.id, mail.kind, where)
    _settle(context.sessions, mail, None, now)
    return 1
