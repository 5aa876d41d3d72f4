"""Apps that take mails of the inquiry mailbox which are not inquiries, registered in their
`AppConfig.ready()` (inquiries cannot import the apps built on it).

A portal's import log (OpenImmo-Feedback with a `fehlerliste`, or a plain-text protocol sent to the
`techn_email`) arrives in the same mailbox as the inquiries: the portal transfer registers readers
that attach it to its runs. A reader gets the office and the read mail (subject, sender, text,
attachments) and answers a German line for the inquiry's log when it took the mail, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from maklerwerk.core.registry import Registry
from maklerwerk.inquiries.parsers.mime import MailContent


@dataclass(frozen=True)
class MailAttachmentReader:
    key: str
    read: Callable[[int, MailContent], str | None]
    order: int = 100


MAIL_ATTACHMENT_READERS: Registry[MailAttachmentReader] = Registry("mail attachment readers")


def other_app_read(office_id: int, mail: MailContent) -> str | None:
    """The first reader's answer that took the mail, or None."""
    for reader in sorted(MAIL_ATTACHMENT_READERS, key=lambda r: r.order):
        answer = reader.read(office_id, mail)
        if answer:
            return answer
    return None
