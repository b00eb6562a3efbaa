"""Which files may be attached to a case: a short list of types, checked by their content.

The extension alone proves nothing (a renamed executable is still one), so the first bytes must
match the type the extension claims; Office Open XML files must also be the right kind of zip.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 200

CONTENT_TYPES: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "mp3": "audio/mpeg",
    "amr": "audio/amr",
    "wav": "audio/wav",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _not_allowed() -> DomainError:
    return DomainError(
        "case.file_type_not_allowed",
        _("This type of file cannot be attached."),
        fields={"file": _("Allowed: JPG, PNG, PDF, Word, Excel, MP3, AMR, WAV.")},
    )


def _zip_member_prefix(file: File) -> str:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return ""


def _content_matches(extension: str, head: bytes, file: File) -> bool:
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("doc", "xls"):
        return head.startswith(_OLE)
    if extension in ("docx", "xlsx"):
        return head.startswith(b"PK\x03\x04") and _zip_member_prefix(file) == extension
    if extension == "mp3":
        frame_sync = len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
        return head.startswith(b"ID3") or frame_sync
    if extension == "amr":
        return head.startswith(b"#!AMR")
    if extension == "wav":
        return head.startswith(b"RIFF") and head[8:12] == b"WAVE"
    return False


def check_file(file: File) -> CheckedFile:
    """Size, name and type of ``file``, or ``DomainError`` if it may not be attached."""
    name = os.path.basename((file.name or "").replace("\\", "/")).strip()
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    if extension not in CONTENT_TYPES:
        raise _not_allowed()
    size = file.size if file.size is not None else 0
    if size > MAX_ATTACHMENT_BYTES:
        raise _too_large()
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in file.chunks():
        size += len(chunk)
        if size > MAX_ATTACHMENT_BYTES:
            raise _too_large()
        digest.update(chunk)
    if size == 0:
        raise _not_allowed()
    file.seek(0)
    head = file.read(16)
    if not _content_matches(extension, head, file):
        raise _not_allowed()
    file.seek(0)
    if len(name) > MAX_NAME_LENGTH:
        name = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
    return CheckedFile(
        name=name or f"file.{extension}",
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        size=size,
        sha256=digest.hexdigest(),
    )


def _too_large() -> DomainError:
    return DomainError(
        "case.file_too_large",
        _("The file is too large."),
        fields={"file": _("At most %(mb)d MB.") % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}},
    )
