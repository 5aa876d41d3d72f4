"""Writes of the mailing app: templates (validated), rendering for a recipient, building a message.

Sending is `mailing.sending` (the one way a mail leaves the system).
"""

from __future__ import annotations

import binascii
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import contentmanager
from email.headerregistry import Address
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from maklerwerk.accounts.roles import Capability
from maklerwerk.core.crypto import SecretUnreadable
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.integrations.smtp.client import SmtpAccount, SmtpError, connection_check
from maklerwerk.mailing import templating
from maklerwerk.mailing.models import MailTemplate, OutgoingMail, SmtpSettings
from maklerwerk.mailing.placeholders import BY_NAME, FieldUnavailable, MailContext
from maklerwerk.mailing.seed import templates_ensure_defaults

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


@dataclass(frozen=True)
class TemplateProblem:
    field: str  # "subject" or "body"
    line: int
    reason: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}


def template_check(*, subject: str, body: str) -> list[TemplateProblem]:
    """Syntax and field errors of a template (empty list: fine). Used by the editor and on save."""
    problems = []
    for name, source in (("subject", subject), ("body", body)):
        try:
            templating.parse(source, BY_NAME)
        except templating.TemplateSyntaxError as exc:
            problems.append(TemplateProblem(name, exc.line, exc.reason))
    if "\n" in subject or "\r" in subject:
        problems.append(TemplateProblem("subject", 1, _("The subject must be one line.")))
    return problems


def _raise_problems(problems: list[TemplateProblem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(p.field, []).append(str(p))
        raise ValidationError(errors)


@transaction.atomic
def template_create(
    *,
    office: Office,
    acting_user: User | None,
    name: str,
    body: str,
    subject: str = "",
    kind: str = MailTemplate.Kind.MAIL,
    language: str = "de",
    key: str = "",
) -> MailTemplate:
    """A new template; rejected (ValidationError with line and reason) if it does not parse."""
    _raise_problems(template_check(subject=subject, body=body))
    template = MailTemplate(
        office=office,
        name=name,
        body=body,
        subject=subject,
        kind=kind,
        language=language,
        key=key,
        created_by=acting_user,
    )
    template.full_clean(exclude=["office"], validate_constraints=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise ConflictError(_("A template with this name already exists.")) from exc
    return template


@transaction.atomic
def template_update(
    *, template: MailTemplate, acting_user: User | None, data: dict[str, Any]
) -> MailTemplate:
    """Change name, subject, text, kind or language; the result must parse."""
    for key in ("name", "subject", "body", "kind", "language"):
        if key in data and data[key] is not None:
            setattr(template, key, data[key])
    _raise_problems(template_check(subject=template.subject, body=template.body))
    template.full_clean(exclude=["office"], validate_constraints=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise ConflictError(_("A template with this name already exists.")) from exc
    return template


def template_default(*, office: Office, key: str) -> MailTemplate:
    """The office's template with `key` (e.g. "share_link"); missing default templates are created.

    Raises ApplicationError if the key names no template the product ships.
    """

    template = MailTemplate.objects.filter(office=office, key=key).order_by("pk").first()
    if template is None:
        templates_ensure_defaults(office)
        template = MailTemplate.objects.filter(office=office, key=key).order_by("pk").first()
    if template is None:
        raise ApplicationError(_("The mail template “%(key)s” is missing.") % {"key": key})
    return template


def template_with_field(body: str, name: str, note: str = "") -> str:
    """`body`, with `{{ name }}` (and `note`) added below if the office's text does not use it.

    For a mail whose point is that field (the confirmation link, the document link): an edited
    template that lost it still works. A body that does not parse is returned as it is (the
    render reports it).
    """
    try:
        used = templating.names_used(templating.parse(body, BY_NAME))
    except templating.TemplateSyntaxError:
        return body
    if name in used:
        return body
    return f"{body.rstrip()}\n\n{{{{ {name} }}}}\n" + (f"{note}\n" if note else "")


@transaction.atomic
def template_delete(*, template: MailTemplate, acting_user: User | None) -> None:
    template.delete()


# --- rendering ------------------------------------------------------------------------------------


@dataclass
class RenderedMail:
    subject: str
    text: str
    html: str
    created_links: list[dict[str, Any]] = field(default_factory=list)


URL_RE = re.compile(r"(https?://[^\s<>\"]+)")


class _Lookup:
    """Resolves fields once per context; remembers fields that were needed but have no value."""

    def __init__(self, ctx: MailContext) -> None:
        self.ctx = ctx
        self.missing: dict[str, str] = {}

    def _resolve(self, name: str) -> str:
        if name not in self.ctx.cache:
            self.ctx.cache[name] = BY_NAME[name].resolve(self.ctx) or ""
        return self.ctx.cache[name]

    def value(self, name: str) -> str:
        try:
            return self._resolve(name)
        except FieldUnavailable as exc:
            self.missing[name] = str(exc)
            return ""

    def condition(self, name: str) -> str:
        try:
            return self._resolve(name)
        except FieldUnavailable:
            return ""

    def check(self) -> None:
        if self.missing:
            fields = "; ".join(f"{{{{ {k} }}}}: {v}" for k, v in sorted(self.missing.items()))
            raise ApplicationError(
                _("The template uses fields that have no value here: %(fields)s") % {"fields": fields},
                extra={"field": "template"},
            )


def _html_body(text_html: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text_html.strip()) if p.strip()]
    body = "".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)
    body = URL_RE.sub(r'<a href="\1">\1</a>', body)
    return (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#1d273b">'
        f"{body}</body></html>"
    )


# A German closing line ("Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße aus Frankfurt" is not one).
_CLOSING = re.compile(
    r"^\s*(mit\s+)?(freundlichen|besten|herzlichen|lieben|freundliche|beste|herzliche|liebe|viele)\s+"
    r"gr(ü|ue)(ß|ss)en?\s*[,.!]?\s*$",
    re.IGNORECASE,
)


def single_sign_off(text: str) -> str:
    """Drop a second closing line (and the blank lines after it): a template that closes with
    "Mit freundlichen Grüßen" and an office signature that starts with it sign off once."""
    out: list[str] = []
    seen = skipping = False
    for line in text.split("\n"):
        if _CLOSING.match(line):
            if seen:
                skipping = True
                continue
            seen = True
        elif skipping and not line.strip():
            continue
        skipping = False
        out.append(line)
    return "\n".join(out)


def mail_render(*, subject: str, body: str, ctx: MailContext) -> RenderedMail:
    """Render subject and text for one recipient; HTML is the same text, escaped, with links.

    Raises ApplicationError when the template does not parse or uses a field without a value.
    """
    try:
        subject_nodes = templating.parse(subject, BY_NAME)
        body_nodes = templating.parse(body, BY_NAME)
    except templating.TemplateSyntaxError as exc:
        raise ApplicationError(str(exc), extra={"field": "template", "line": exc.line}) from exc
    lookup = _Lookup(ctx)
    subject_text = templating.render(subject_nodes, lookup.value, lookup.condition)
    text = single_sign_off(templating.render(body_nodes, lookup.value, lookup.condition))
    lookup.check()
    html_text = single_sign_off(
        templating.render(
            body_nodes, lookup.value, lookup.condition, escape=lambda s: html.escape(s, quote=False)
        )
    )
    return RenderedMail(
        subject=" ".join(subject_text.split()),
        text=text,
        html=_html_body(html_text),
        created_links=list(ctx.created_links),
    )


def smtp_reason(exc: SmtpError) -> str:
    """The user's words for an SMTP failure, with the server's answer where there is one."""
    texts = {
        "refused_recipient": _("The mail server refused this recipient"),
        "rejected": _("The mail server rejected the mail"),
        "auth": _("Login to the mail server failed"),
        "disconnected": _("The mail server dropped the connection"),
        "timeout": _("The mail server did not answer in time"),
        "connection_refused": _("The mail server refused the connection"),
        "tls": _("The encrypted connection to the mail server failed"),
        "network": _("The mail server cannot be reached"),
        "invalid_address": _("The e-mail address is invalid"),
    }
    text = texts.get(exc.kind, _("Sending failed"))
    detail = exc.message.split(": ", 1)[-1] if exc.code else ""
    later = _("will be retried") if not exc.permanent else _("permanent")
    return f"{text} ({later})" + (f": {detail}" if detail else "")


# --- sending --------------------------------------------------------------------------------------


def smtp_account_for(user: User | None) -> SmtpAccount | None:
    """The user's own active SMTP account, or None for the office's EMAIL_URL."""
    if user is None:
        return None
    conf = SmtpSettings.objects.filter(user_id=user.pk, active=True).first()
    if conf is None:
        return None
    try:
        password = conf.get_password()
    except SecretUnreadable as exc:  # SECRET_KEY changed: the user must enter the password again
        raise SmtpError(str(exc), permanent=True, kind="auth") from exc
    return SmtpAccount(
        host=conf.host, port=conf.port, security=conf.security, username=conf.username, password=password
    )


def sender_for(*, office: Office, agent: User | None) -> tuple[str, str]:
    """(From, Reply-To) as header values: "Max Müller | Büro" <noreply@…>, the agent's address."""
    default = Address(addr_spec="noreply@localhost")
    configured = settings.DEFAULT_FROM_EMAIL
    try:
        from email.headerregistry import HeaderRegistry

        header = HeaderRegistry()("From", configured)
        default = header.addresses[0]  # type: ignore[attr-defined]  # a From header is an AddressHeader
    except (IndexError, ValueError, AttributeError):
        pass
    own = SmtpSettings.objects.filter(user=agent, active=True).first()
    addr = own.from_email if own and own.from_email else default.addr_spec
    name = f"{agent} | {office.name}" if agent else office.name
    from_header = str(Address(display_name=name, addr_spec=addr))
    reply_to = ""
    if agent is not None and agent.email:
        reply_to = str(Address(display_name=str(agent), addr_spec=agent.email))
    elif office.email:
        reply_to = str(Address(display_name=office.name, addr_spec=office.email))
    return from_header, reply_to


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    mimetype: str

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": len(self.content),
            "mimetype": self.mimetype,
            "sha256": hashlib.sha256(self.content).hexdigest(),
        }


ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To")
_ATEXT_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")  # RFC 5322 atom


def _encoded_word(text: str) -> str:
    from email.charset import QP, Charset

    charset = Charset("utf-8")
    charset.header_encoding = QP
    return charset.header_encode(text)


def _display_name_tokens(name: str) -> list[str]:
    """The display name as phrase words: atoms, quoted strings, RFC 2047 encoded words.

    Consecutive non-ASCII words share one encoded word (whitespace between two encoded words is
    dropped by decoders), so the spaces of the name survive; every token is short, and the header
    is folded only between tokens.
    """
    tokens: list[str] = []
    run: list[str] = []  # consecutive non-ASCII words

    def flush() -> None:
        while run:
            take = len(run)
            while take > 1 and len(_encoded_word(" ".join(run[:take]))) > 70:
                take -= 1
            chunk = " ".join(run[:take]) + (" " if take < len(run) else "")
            tokens.append(_encoded_word(chunk))
            del run[:take]

    for word in name.split():
        if not word.isascii():
            run.append(word)
            continue
        flush()
        if _ATEXT_RE.match(word):
            tokens.append(word)
        else:
            tokens.append('"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"')
    flush()
    return tokens


def _address_header_value(addresses: Any) -> str:
    """An address list folded by us, so that every display name survives (RFC 5322 / RFC 2047).

    Python's header refolding (email.policy) drops the quotes of a long quoted display name
    ("Müller, Hans" then reads as two addresses) and inserts spaces into long encoded names.
    """
    parts = []
    for address in addresses:
        tokens = _display_name_tokens(address.display_name) if address.display_name else []
        tokens.append(f"<{address.addr_spec}>")
        lines = [""]
        for token in tokens:
            if lines[-1] and len(lines[-1]) + 1 + len(token) > 66:
                lines.append(token)
            else:
                lines[-1] = f"{lines[-1]} {token}" if lines[-1] else token
        parts.append("\n ".join(lines))
    return ",\n ".join(parts)


# One line of base64 in a mail body: 57 bytes → 76 characters (RFC 2045; what Python writes).
_BASE64_LINE = re.compile(rb".{1,76}", re.DOTALL)


def _base64_lines(data: bytes | bytearray | memoryview) -> bytes:
    """`data` in base64 as 76-character lines, each ending in LF, in two C calls.

    Byte for byte what `email.contentmanager` writes, whose loop over 57-byte slices costs about
    10 ms for a 2.4 MB exposé on every mail (tested against it).
    """
    encoded = binascii.b2a_base64(data, newline=False)
    return b"\n".join(_BASE64_LINE.findall(encoded)) + b"\n" if encoded else b""


def _set_bytes_base64(
    msg: Any, data: bytes, maintype: str, subtype: str, cte: str = "base64", **kw: Any
) -> None:
    """`contentmanager.set_bytes_content` with the base64 done by `_base64_lines`: the part is set
    as 7bit from the encoded text and then named base64 (same headers, same order)."""
    if cte != "base64" or msg.policy.max_line_length // 4 * 3 != 57:  # other line lengths: the standard way
        contentmanager.raw_data_manager.set_content(msg, data, maintype, subtype, cte, **kw)
        return
    contentmanager.raw_data_manager.set_content(msg, _base64_lines(data), maintype, subtype, "7bit", **kw)
    msg.replace_header("Content-Transfer-Encoding", "base64")


_BASE64_MANAGER = contentmanager.ContentManager()
for _type in (bytes, bytearray, memoryview):
    _BASE64_MANAGER.add_set_handler(_type, _set_bytes_base64)


class _FoldSafeMessage(EmailMultiAlternatives):
    """Django's message with address headers folded by `_address_header_value`, and binary
    attachments encoded by `_base64_lines`."""

    def _add_attachment(self, msg: Any, filename: str, content: Any, mimetype: str) -> None:
        maintype, _sep, subtype = mimetype.partition("/")
        if maintype in ("text", "message") or not isinstance(content, (bytes, bytearray, memoryview)):
            super()._add_attachment(msg, filename, content, mimetype)  # type: ignore[misc]  # Django's private helper
            return
        # What Django does for these (EmailMessage._add_attachment), with our content manager.
        msg.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=filename, content_manager=_BASE64_MANAGER
        )

    def message(self, *, policy: Any = None) -> Any:
        msg = super().message(policy=policy) if policy is not None else super().message()
        for header in ADDRESS_HEADERS:
            value = msg.get(header)
            if value is not None and hasattr(value, "addresses"):
                folded = _address_header_value(value.addresses)
                del msg[header]
                msg.set_raw(header, folded)  # stored as written: the policy does not refold it
        return msg


def mail_message_build(
    *,
    rendered: RenderedMail,
    to_email: str,
    to_name: str,
    from_header: str,
    reply_to: str,
    attachments: list[Attachment],
    message_id: str | None = None,
) -> EmailMultiAlternatives:
    """One message to one recipient: text + HTML alternative, attachments, our Message-ID."""
    try:
        to = str(Address(display_name=to_name, addr_spec=to_email)) if to_name else to_email
    except (ValueError, IndexError) as exc:
        raise ApplicationError(_("Invalid e-mail address: %(a)s") % {"a": to_email}) from exc
    domain = from_header.rsplit("@", 1)[-1].rstrip(">").strip() or "localhost"
    message = _FoldSafeMessage(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_header,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": message_id or make_msgid(domain=domain)},
    )
    message.attach_alternative(rendered.html, "text/html")
    for a in attachments:
        message.attach(a.name, a.content, a.mimetype)
    return message


def outgoing_mail_record(
    *,
    office: Office,
    message: EmailMultiAlternatives,
    rendered: RenderedMail,
    attachments: list[Attachment],
    acting_user: User | None,
    contact_id: int | None = None,
    property_id: int | None = None,
    template: MailTemplate | None = None,
) -> OutgoingMail:
    """Store a sent mail (everything but the attachment bytes, which are listed with hash)."""
    headers = {
        "From": message.from_email,
        "To": ", ".join(message.to),
        "Reply-To": ", ".join(message.reply_to),
        "Subject": message.subject,
        "Message-ID": message.extra_headers["Message-ID"],
    }
    return OutgoingMail.objects.create(
        office=office,
        contact_id=contact_id,
        property_id=property_id,
        template=template,
        from_email=message.from_email[:300],
        to_email=", ".join(message.to)[:300],
        reply_to=", ".join(message.reply_to)[:300],
        subject=rendered.subject[:300],
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=[a.describe() for a in attachments],
        headers="".join(f"{k}: {v}\n" for k, v in headers.items() if v),
        message_id=message.extra_headers["Message-ID"],
        sent_by=acting_user,
    )


@transaction.atomic
def smtp_settings_save(*, user: User, data: dict[str, Any]) -> SmtpSettings:
    """Create or change the user's SMTP account. An empty password keeps the stored one."""
    conf = SmtpSettings.objects.filter(user=user).first() or SmtpSettings(user=user)
    for key in ("active", "host", "port", "security", "username", "from_email"):
        if key in data:
            setattr(conf, key, data[key])
    if data.get("password"):
        conf.set_password(data["password"])
    conf.full_clean(exclude=["user"])
    conf.save()
    return conf


SMTP_TEST_TIMEOUT = 3.0  # seconds per socket operation of "Test connection"


def smtp_connection_test(*, user: User, data: dict[str, Any]) -> None:
    """The "Test connection" button of the user's own SMTP account: connect and log in once.

    Only users who may edit (send mail) test, with a short timeout, and every failure gives the
    same answer: whether a port is closed, filtered or another service must not show, or the
    button would be a port scanner for the internal network. Raises PermissionDenied or
    ApplicationError ("Connection failed: …").
    """
    from django.core.exceptions import PermissionDenied

    if not user.can(Capability.EDIT):
        raise PermissionDenied
    password = data.get("password") or ""
    if not password:  # an empty field keeps the stored password, for the test as on save
        own = SmtpSettings.objects.filter(user_id=user.pk).first()
        if own is not None:
            try:
                password = own.get_password()
            except SecretUnreadable:
                password = ""
    account = SmtpAccount(
        host=data["host"],
        port=data["port"],
        security=data["security"],
        username=data.get("username") or "",
        password=password,
        timeout=SMTP_TEST_TIMEOUT,
    )
    try:
        connection_check(account)
    except SmtpError as exc:
        raise ApplicationError(
            _(
                "Connection failed: the mail server could not be reached or refused the login. "
                "Please check server, port, encryption, user name and password."
            )
        ) from exc


def mail_render_example(*, subject: str, body: str) -> RenderedMail:
    """The editor's preview: every field shows its catalogue example. Raises TemplateSyntaxError."""
    subject_nodes = templating.parse(subject, BY_NAME)
    body_nodes = templating.parse(body, BY_NAME)
    values = {p.name: p.example for p in BY_NAME.values()}
    html_text = templating.render(
        body_nodes, values.__getitem__, escape=lambda s: html.escape(s, quote=False)
    )
    return RenderedMail(
        subject=templating.render(subject_nodes, values.__getitem__),
        text=templating.render(body_nodes, values.__getitem__),
        html=_html_body(html_text),
    )
