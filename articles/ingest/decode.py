"""Bytes of a text file to its text: UTF-8 (with or without BOM), UTF-16 or Windows-1256."""

import codecs
import re

from django.utils.translation import gettext as _

from .stages import IngestError

# Characters that never occur in a text file: C0 and C1 controls except tab, newline, carriage
# return and form feed. Seeing one means a binary file (or a wrong guess of the encoding).
_ALLOWED_CONTROLS = "\t\n\r\f"
_CONTROLS = {
    *(chr(c) for c in range(0x20) if chr(c) not in _ALLOWED_CONTROLS),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
}
CONTROL_CHARACTER = re.compile("[" + re.escape("".join(sorted(_CONTROLS))) + "]")
# Windows-1256 decodes almost any byte string: accept its reading only when this share of the
# letters is Arabic.
MIN_ARABIC_SHARE = 0.5


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), UTF-16, or Windows-1256 Arabic.

    Line endings become "\\n"; nothing else is changed. Raises IngestError for empty, binary or
    undecodable files.
    """
    if not data:
        raise IngestError(_("the file is empty"))
    if data.startswith(codecs.BOM_UTF8):
        text = _decode_strictly(data[len(codecs.BOM_UTF8) :], "utf-8", _("UTF-8"))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_strictly(data, "utf-16", _("UTF-16"))
    elif codec := _bomless_utf16_arabic(data):
        text = _decode_strictly(data, codec, _("UTF-16"))
    elif b"\x00" in data:
        raise IngestError(
            _("contains NUL bytes: a binary file, or UTF-16 without a byte-order mark")
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            if _looks_like_utf8_arabic(data):
                # Read as Windows-1256 it would be saved as mojibake (ط¯ط±ط¹ط§ for درعا).
                raise IngestError(
                    _(
                        "looks like UTF-8 but byte {position} is not valid UTF-8: a damaged "
                        "file, or two encodings mixed in one"
                    ).format(position=error.start)
                ) from error
            text = _decode_windows_1256(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_controls(text)
    if not text.strip():
        raise IngestError(_("the file contains only blank space"))
    return text


def _bomless_utf16_arabic(data: bytes) -> str | None:
    """ "utf-16-le"/"-be" when every high byte is 0x00 or 0x06 (Arabic) and some are 0x06."""
    if len(data) % 2:
        return None
    for codec, high_bytes in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        if b"\x06" in high_bytes and not high_bytes.translate(None, b"\x00\x06"):
            return codec
    return None


def _decode_strictly(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise IngestError(
            _("marked as {encoding} but byte {position} is not valid {encoding}").format(
                encoding=name, position=error.start
            )
        ) from error


_UTF8_ARABIC_LETTER = re.compile(rb"[\xd8-\xdb][\x80-\xbf]")


def _looks_like_utf8_arabic(data: bytes) -> bool:
    """Most high bytes pair up as UTF-8 Arabic letters (rare in real Windows-1256 text)."""
    high = sum(byte >= 0x80 for byte in data)
    return bool(high) and 2 * len(_UTF8_ARABIC_LETTER.findall(data)) >= high / 2


def _decode_windows_1256(data: bytes) -> str:
    refusal = _("neither UTF-8 nor Arabic in Windows-1256: not a text file this archive can read")
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError as error:
        raise IngestError(refusal) from error
    letters = [char for char in text if char.isalpha()]
    arabic_letters = sum(1 for char in letters if "\u0600" <= char <= "\u06ff")
    if not letters or arabic_letters < MIN_ARABIC_SHARE * len(letters):
        raise IngestError(refusal)
    if any(char in _CONTROLS for char in text):
        raise IngestError(refusal)
    return text


def _refuse_controls(text: str) -> None:
    found = CONTROL_CHARACTER.search(text)
    if found:
        raise IngestError(
            _("control character U+{code:04X} on line {line}: a binary file").format(
                code=ord(found.group()), line=text.count("\n", 0, found.start()) + 1
            )
        )
