"""PDF attachments (cue sheets) are judged by their bytes with pypdf: a PDF that parses,
is not encrypted (it could not be inspected), has a sane number of pages and carries no
active content (JavaScript, launch actions, embedded files, XFA forms). The file is then
published as uploaded and served as a download (`Content-Disposition: attachment`)."""

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import DictionaryObject

from media.validation import UploadRefused

MAX_PAGES = 50
# Actions a cue sheet never needs: scripts, programs, forms posting data, other files.
_ACTIVE = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"})
# pypdf logs malformed structure it recovers from; the refusal (or not) is what counts.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _active(action: object) -> bool:
    """Whether an action dictionary (or a chain of them through /Next) runs something."""
    seen = 0
    while isinstance(action, DictionaryObject) and seen < 16:
        if action.get("/S") in _ACTIVE or "/JS" in action:
            return True
        action = action.get("/Next")
        seen += 1
    return False


def _resolved(value: object) -> object:
    getter = getattr(value, "get_object", None)
    return getter() if getter else value


def _dictionary(value: object) -> DictionaryObject:
    """The dictionary `value` is (or refers to); an empty one for anything else."""
    resolved = _resolved(value)
    return resolved if isinstance(resolved, DictionaryObject) else DictionaryObject()


def _annotations(page: DictionaryObject) -> list[DictionaryObject]:
    annotations = _resolved(page.get("/Annots"))
    return [_dictionary(a) for a in annotations] if isinstance(annotations, list) else []


def _check_document(root: DictionaryObject) -> None:
    """Nothing runs when the document opens: no actions, scripts, attachments or XFA."""
    names = _dictionary(root.get("/Names"))
    if "/AA" in root or _active(_resolved(root.get("/OpenAction"))):
        raise UploadRefused("active_pdf", "The PDF runs actions when opened.")
    if "/JavaScript" in names or "/EmbeddedFiles" in names:
        raise UploadRefused("active_pdf", "The PDF carries scripts or embedded files.")
    if "/XFA" in _dictionary(root.get("/AcroForm")):
        raise UploadRefused("active_pdf", "The PDF is an XFA form.")


def _check_page(page: DictionaryObject) -> None:
    """Nothing runs when a page shows or a link on it is followed."""
    if "/AA" in page:
        raise UploadRefused("active_pdf", "A page runs actions when shown.")
    if any(_active(_resolved(a.get("/A"))) for a in _annotations(page)):
        raise UploadRefused("active_pdf", "A link in the PDF runs an action.")


def check_pdf(data: bytes) -> int:
    """The number of pages of the PDF in `data`; `UploadRefused` if it is not a harmless one."""
    if not data.startswith(b"%PDF-"):
        raise UploadRefused("not_a_pdf", "The file is not a PDF.")
    if b"%%EOF" not in data[-1024:]:  # pypdf would recover what it can of a cut-off file
        raise UploadRefused("corrupt_pdf", "The PDF is truncated.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                "encrypted_pdf", "Encrypted PDFs cannot be checked; save it unlocked."
            )
        _check_document(_dictionary(reader.trailer["/Root"]))
        pages = len(reader.pages)
        if not 1 <= pages <= MAX_PAGES:
            raise UploadRefused("too_many_pages", f"A cue sheet has 1 to {MAX_PAGES} pages.")
        for page in reader.pages:
            _check_page(page)
    except UploadRefused:
        raise
    except (PdfReadError, PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        raise UploadRefused("corrupt_pdf", "The PDF is truncated or damaged.") from None
    except RecursionError:
        raise UploadRefused("corrupt_pdf", "The PDF's structure is too deeply nested.") from None
    return pages
