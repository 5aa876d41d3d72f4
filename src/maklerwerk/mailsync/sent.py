"""Mails sent from Maklerwerk go into the sender's own Sent folder (IMAP APPEND, marked as read).

Called by `mailing.sending` after the SMTP server accepted a mail (`AFTER_SEND`). The mail keeps its
Message-ID, and `OutgoingMail` already has it with its activity, so the archive later finds it in
Sent, recognises it and creates no second activity. A failure is noted on the account and never
makes the sent mail fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maklerwerk.core.crypto import SecretUnreadable
from maklerwerk.integrations.imap.client import ImapClient, ImapError
from maklerwerk.integrations.smtp.backend import message_bytes
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.sync import imap_settings, sent_folder_of

if TYPE_CHECKING:
    from maklerwerk.mailing.sending import PreparedMail


def sent_folder_append(mail: PreparedMail) -> None:
    if mail.sender is None:
        return
    account = (
        MailAccount.objects.filter(user_id=mail.sender.pk, active=True, append_sent=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if account is None:
        return
    try:
        with ImapClient(imap_settings(account)) as imap:
            folder = sent_folder_of(imap, account) or "Sent"
            imap.create_folder(folder)
            imap.append(message_bytes(mail.message), folder, seen=True)  # the bytes the server got
    except (ImapError, SecretUnreadable) as exc:
        reason = exc.message if isinstance(exc, ImapError) else str(exc)
        MailAccount.objects.filter(pk=account.pk).update(
            last_error=f"Gesendete Mail nicht im Ordner „Gesendet“ abgelegt: {reason}"[:500]
        )
