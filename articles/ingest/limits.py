"""How much an import reads of a file, a line or an archive; the refusal an editor reads past it."""

import io
from typing import BinaryIO

from django.utils.translation import gettext as _

from ..models import MAX_ARTICLE_BYTES, megabytes
from .stages import IngestError

# One article's text is at most MAX_ARTICLE_BYTES (models.py). A file or line that holds one
# is read only up to what such a text can take in its encoding, and refused past it unread:
MAX_TEXT_FILE_BYTES = 2 * MAX_ARTICLE_BYTES + 4  # a .txt file or entry: UTF-16 doubles ASCII
MAX_LINE_BYTES = 4 * MAX_ARTICLE_BYTES  # a JSONL line: "\u0627" escapes triple Arabic text
# Files of many articles have their own limits.
MAX_ENTRY_BYTES = 20 * 1024 * 1024  # a .jsonl entry of an archive, uncompressed
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024  # everything one archive may expand to
MAX_COMPRESSION_RATIO = 100  # text packs 3-10 times; far more than this is a zip bomb


def size_refusal(what: str, size: int, **names) -> str:
    """Why a text is refused for its size, in words an editor can act on."""
    return _("{what}; an article may have at most {limit} MB — split it or check the file").format(
        what=what.format(size=megabytes(size), **names), limit=megabytes(MAX_ARTICLE_BYTES)
    )


class TooLarge(IngestError):
    """A file too large to hold one article, refused before it is read whole."""

    def __init__(self, size: int | None, limit: int):
        if size is None or size <= limit:  # the size is unknown, or the zip declared a wrong one
            super().__init__(size_refusal(_("the file is larger than {size} MB"), limit))
        else:
            super().__init__(size_refusal(_("the file is {size} MB"), size))


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of a stream; `TooLarge` when it holds more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        try:
            size = stream.seek(0, io.SEEK_END)
        except (OSError, ValueError, AttributeError):
            size = None
        raise TooLarge(size, limit)
    return data
