"""Notes on a case that do not move it: comments and attachments.

A comment is internal unless its author makes it public: a public comment is shown to the worker
on the public timeline, word for word, so it must be written for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files import File
from django.db import transaction

from ..attachments import check_file
from ..events import record
from ..models import Attachment, Case
from ..states import Action
from .common import MAX_NOTE, clean_text, locked_for, now

if TYPE_CHECKING:
    from hotline.accounts.models import User


def comment(case: Case, *, actor: User, text: str, internal: bool = True) -> Case:
    """Add a progress note; ``internal=False`` shows it to the worker too."""
    text = clean_text(text, field="text", max_length=MAX_NOTE, required=True)
    with transaction.atomic():
        case = locked_for(Action.COMMENT, actor, case)
        record(
            case,
            actor=actor,
            action=Action.COMMENT,
            from_status=case.status,
            to_status=case.status,
            note=text,
            data={} if internal else {"public_text": text},
            public=not internal,
        )
    return case


def attach(case: Case, *, actor: User, file: File, note: str = "") -> Attachment:
    """Attach ``file`` (checked for type by content, and size) with an optional note."""
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    checked = check_file(file)
    with transaction.atomic():
        case = locked_for(Action.ATTACH, actor, case)
        moment = now()
        event = record(
            case,
            actor=actor,
            action=Action.ATTACH,
            from_status=case.status,
            to_status=case.status,
            note=note,
            data={
                "name": checked.name,
                "content_type": checked.content_type,
                "size": checked.size,
                "sha256": checked.sha256,
            },
            at=moment,
        )
        attachment = Attachment(
            case=case,
            event=event,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        # The stored name is random: the worker's file name may say who they are.
        attachment.file.save(f"{checked.sha256[:32]}.{checked.extension}", file, save=False)
        attachment.save()
    return attachment
