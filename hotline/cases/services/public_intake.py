"""A worker's own request from the public pages, with up to three photos, in one transaction.

``notes.attach`` is for staff (it asks for a role); a worker has no account, so their photos are
taken only together with the request they belong to: checked before anything is written, stored
with the new case, and never added to a case that a repeated submission returned. Photos are the
only files a worker may send (JPG or PNG, checked by content like every attachment).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

from ..attachments import CheckedFile, check_file
from ..events import record
from ..models import Attachment, Case
from ..states import Action
from .intake import register_case

MAX_WORKER_PHOTOS = 3
PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg", "png"})


def check_photos(photos: Sequence[File]) -> list[CheckedFile]:
    """Each photo's checked type and size; ``DomainError`` on the ``photos`` field otherwise."""
    if len(photos) > MAX_WORKER_PHOTOS:
        raise DomainError(
            "case.too_many_photos",
            _("At most %(count)d photos can be sent.") % {"count": MAX_WORKER_PHOTOS},
            fields={"photos": _("At most %(count)d photos.") % {"count": MAX_WORKER_PHOTOS}},
        )
    checked = []
    for photo in photos:
        try:
            result = check_file(photo)
        except DomainError as refused:
            raise DomainError(
                refused.code, refused.message, fields=_photo_fields(refused)
            ) from None
        if result.extension not in PHOTO_EXTENSIONS:
            raise DomainError(
                "case.file_type_not_allowed",
                _("Only photos can be sent."),
                fields={"photos": _("JPG or PNG pictures only.")},
            )
        checked.append(result)
    return checked


def _photo_fields(refused: DomainError) -> dict[str, str]:
    if refused.code == "case.file_type_not_allowed":
        return {"photos": _("JPG or PNG pictures only.")}
    return {"photos": refused.fields.get("file", refused.message)}


def register_public_case(*, photos: Sequence[File] = (), **intake: Any) -> tuple[Case, bool]:
    """``register_case`` for a worker (``actor`` None) plus ``photos``; ``(case, created)``.

    ``intake`` takes the keyword arguments of ``register_case`` except ``actor``. A bad photo
    refuses the whole request and writes nothing; a repeated submission (same intake key)
    returns the first case and ignores the photos sent again.
    """
    checked = check_photos(photos)
    with transaction.atomic():
        case, created = register_case(actor=None, **intake)
        if created:
            for photo, result in zip(photos, checked, strict=True):
                _attach_photo(case, photo, result)
    return case, created


def _attach_photo(case: Case, photo: File, checked: CheckedFile) -> Attachment:
    # ``case`` is the row register_case has just inserted in this transaction: no one else can
    # see it yet, and ``record`` keeps its chain head current in memory and in the row.
    event = record(
        case,
        actor=None,
        action=Action.ATTACH,
        from_status=case.status,
        to_status=case.status,
        data={
            "name": checked.name,
            "content_type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
            "by_worker": True,
        },
    )
    attachment = Attachment(
        case=case,
        event=event,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=None,
    )
    # The stored name is random: the worker's file name may say who they are.
    attachment.file.save(f"{checked.sha256[:32]}.{checked.extension}", photo, save=False)
    attachment.save()
    return attachment
