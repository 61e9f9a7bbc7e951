"""Video downloads that phones can seek in and resume: single HTTP Range requests.

Only one range per request is honoured. A multi-range header (``bytes=0-9,20-29``)
gets the whole file with 200, which RFC 9110 allows (a server may ignore Range)
and which every video player handles; answering it would need a
``multipart/byteranges`` body that no player asks for in practice. A Range header
that does not parse is ignored the same way. ``If-Range`` with an out-of-date
validator also gets the whole file.
"""

import hashlib
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe

CHUNK_SIZE = 64 * 1024
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
# More bytes than any file we store: a position with more digits than this is read as
# this, instead of handing ``int`` thousands of digits (it refuses more than 4,300).
_BEYOND_ANY_FILE = 10**18


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class RangeNotSatisfiableError(ValueError):
    """The requested range lies wholly outside the file."""


def parse_range(header: str, size: int) -> ByteRange | None:
    """The single byte range asked for, or None to send the whole file.

    Raises :class:`RangeNotSatisfiableError` when the range starts past the end
    of the file (or asks for the last zero bytes).
    """
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:  # absent, malformed, another unit or several ranges
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = _position(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiableError(header)
        return ByteRange(max(size - suffix, 0), size - 1)
    start = _position(first)
    if last and _position(last) < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        raise RangeNotSatisfiableError(header)
    end = _position(last) if last else size - 1
    return ByteRange(start, min(end, size - 1))


def _position(digits: str) -> int:
    """A byte position from ASCII digits, capped at :data:`_BEYOND_ANY_FILE`."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _BEYOND_ANY_FILE


def _read(file: FieldFile, byte_range: ByteRange) -> Iterator[bytes]:
    with file.storage.open(file.name, "rb") as handle:
        handle.seek(byte_range.start)
        remaining = byte_range.length
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def ranged_file_response(request: HttpRequest, file: FieldFile, *, filename: str) -> HttpResponse:
    """Send a stored file as an attachment, honouring one Range and conditional headers.

    The caller checks that the file exists.
    """
    storage = file.storage
    size = storage.size(file.name)
    modified = storage.get_modified_time(file.name)
    etag = '"{}"'.format(
        hashlib.sha256(f"{file.name}:{size}:{modified.timestamp()}".encode()).hexdigest()[:24]
    )
    last_modified = int(modified.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified

    byte_range = None
    header = request.headers.get("Range", "")
    if header and _if_range_matches(request, etag=etag, last_modified=last_modified):
        try:
            byte_range = parse_range(header, size)
        except RangeNotSatisfiableError:
            response = HttpResponse(status=HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            response["Content-Range"] = f"bytes */{size}"
            response["Accept-Ranges"] = "bytes"
            return response

    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    whole = ByteRange(0, size - 1)
    response = StreamingHttpResponse(
        _read(file, byte_range or whole) if size else iter(()),
        status=HTTPStatus.PARTIAL_CONTENT if byte_range else HTTPStatus.OK,
        content_type=content_type,
    )
    if byte_range:
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    response["Content-Length"] = str(byte_range.length if byte_range else size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    return response


def _if_range_matches(request: HttpRequest, *, etag: str, last_modified: int) -> bool:
    """Whether a Range may be honoured: no If-Range, or one naming the current file."""
    if_range = request.headers.get("If-Range")
    if not if_range:
        return True
    if if_range.startswith(('"', "W/")):
        return if_range == etag  # strong comparison; a weak tag never matches
    return parse_http_date_safe(if_range) == last_modified
