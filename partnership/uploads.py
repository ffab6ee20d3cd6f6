"""Uploaded documents (scanned consents, finance receipts): one way in and one way out.

In: a document is judged by its first bytes, never by its name, and stored under the name of
the type it was found to be (`stored_document`); the uploaded name and extension are dropped.
Out: it is served as an attachment with the sniffed type's content type and
`X-Content-Type-Options: nosniff` (`document_response`), so a browser never renders an upload
as a page, whatever it was called or is stored as.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DocumentKind:
    extension: str
    content_type: str


DOCUMENT_KINDS = {
    b"%PDF-": DocumentKind("pdf", "application/pdf"),
    b"\x89PNG\r\n\x1a\n": DocumentKind("png", "image/png"),
    b"\xff\xd8\xff": DocumentKind("jpg", "image/jpeg"),
}
# What a download of something that is none of the above (a file stored before the sniffing) is.
UNKNOWN_KIND = DocumentKind("bin", "application/octet-stream")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def sniff(file) -> DocumentKind | None:
    """The document kind from the file's first bytes; the file's position is kept at the start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return next((kind for signature, kind in DOCUMENT_KINDS.items() if head.startswith(signature)), None)


def validate_document(upload) -> None:
    """PDF or image only, judged by the file's first bytes (not its name), and at most 10 MB."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("Filen är större än 10 MB."), code="too_large")
    if sniff(upload) is None:
        raise ValidationError(_("Filen måste vara en PDF eller en bild (PNG eller JPEG)."), code="file_type")


def stored_document(upload, *, stem: str = "dokument"):
    """The upload, validated and renamed after its sniffed kind: what every service stores."""
    validate_document(upload)
    kind = sniff(upload)
    if kind is None:  # refused by validate_document already; checked again for the type checker
        raise ValidationError(_("Filen måste vara en PDF eller en bild (PNG eller JPEG)."), code="file_type")
    upload.name = f"{stem}.{kind.extension}"
    return upload


def document_response(field_file, *, download_name: str) -> FileResponse:
    """A stored document as a download: the sniffed kind's type and extension, never inline."""
    handle = field_file.open("rb")
    kind = sniff(handle) or UNKNOWN_KIND
    response = FileResponse(
        handle, as_attachment=True, filename=f"{download_name}.{kind.extension}", content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
