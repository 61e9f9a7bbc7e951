from http import HTTPStatus

import pytest

from techniques.video import ByteRange, RangeNotSatisfiableError, parse_range
from tests.factories import TechniqueFactory

pytestmark = pytest.mark.django_db

VIDEO_URL = "/techniques/calf-roll/video/"
CLIP = bytes(range(256)) * 4  # 1,024 bytes standing in for an MP4


@pytest.fixture
def clip(settings):
    """A technique with a small fake .mp4 uploaded in MEDIA_ROOT."""
    path = settings.MEDIA_ROOT / "techniques" / "videos" / "calf.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(CLIP)
    return TechniqueFactory(slug="calf-roll", video="techniques/videos/calf.mp4")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_whole_video_downloads_with_type_and_filename(client, clip):
    """Without Range the whole file comes back as an attachment named after the slug."""
    response = client.get(VIDEO_URL)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"] == 'attachment; filename="calf-roll.mp4"'
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(CLIP))
    assert response["ETag"]
    assert response["Last-Modified"]
    assert _body(response) == CLIP


def test_first_hundred_bytes(client, clip):
    """Range bytes=0-99 gives 206 with exactly those bytes."""
    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=0-99")

    assert response.status_code == HTTPStatus.PARTIAL_CONTENT
    assert response["Content-Range"] == f"bytes 0-99/{len(CLIP)}"
    assert response["Content-Length"] == "100"
    assert _body(response) == CLIP[:100]


def test_open_ended_range(client, clip):
    """Range bytes=100- gives everything from byte 100 on."""
    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=100-")

    assert response.status_code == HTTPStatus.PARTIAL_CONTENT
    assert response["Content-Range"] == f"bytes 100-{len(CLIP) - 1}/{len(CLIP)}"
    assert _body(response) == CLIP[100:]


def test_suffix_range(client, clip):
    """Range bytes=-50 gives the last 50 bytes."""
    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=-50")

    assert response.status_code == HTTPStatus.PARTIAL_CONTENT
    assert _body(response) == CLIP[-50:]


def test_range_past_the_end_is_not_satisfiable(client, clip):
    """A range starting after the last byte gives 416 with the file's size."""
    response = client.get(VIDEO_URL, HTTP_RANGE=f"bytes={len(CLIP)}-")

    assert response.status_code == HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE
    assert response["Content-Range"] == f"bytes */{len(CLIP)}"


def test_multiple_ranges_get_the_whole_file(client, clip):
    """A multi-range request is answered with the whole file (documented choice)."""
    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=0-9,20-29")

    assert response.status_code == HTTPStatus.OK
    assert _body(response) == CLIP


def test_range_for_an_old_copy_gets_the_whole_file(client, clip):
    """If-Range naming another version ignores Range and sends the current file."""
    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')

    assert response.status_code == HTTPStatus.OK
    assert _body(response) == CLIP


def test_range_for_the_current_copy_is_honoured(client, clip):
    """If-Range with the current ETag keeps the Range."""
    etag = client.get(VIDEO_URL)["ETag"]

    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)

    assert response.status_code == HTTPStatus.PARTIAL_CONTENT
    assert _body(response) == CLIP[:10]


def test_conditional_get_is_not_modified(client, clip):
    """A player holding the current file gets 304."""
    etag = client.get(VIDEO_URL)["ETag"]

    assert client.get(VIDEO_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_no_video_is_not_found(client, db):
    """A technique without a video gives 404."""
    TechniqueFactory(slug="calf-roll")

    assert client.get(VIDEO_URL).status_code == HTTPStatus.NOT_FOUND


def test_missing_video_file_is_not_found(client, db):
    """A video whose file has gone from storage gives 404, not 500."""
    TechniqueFactory(slug="calf-roll", video="techniques/videos/gone.mp4")

    assert client.get(VIDEO_URL).status_code == HTTPStatus.NOT_FOUND


def test_technique_page_links_an_existing_video(client, clip):
    """The technique page shows the video link when the file is there."""
    body = client.get("/techniques/calf-roll/").content.decode()

    assert f'href="{VIDEO_URL}"' in body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=10-5000", ByteRange(10, 999)),
        ("bytes=-2000", ByteRange(0, 999)),
        ("bytes=5-1", None),
        ("items=0-5", None),
        ("bytes=-", None),
        ("bytes=0-1,4-5", None),
    ],
)
def test_parse_range(header, expected):
    """Single ranges are clamped to the file; anything else means the whole file."""
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=-0"])
def test_parse_range_unsatisfiable(header):
    """Ranges with no byte inside the file are refused."""
    with pytest.raises(RangeNotSatisfiableError):
        parse_range(header, 1000)


HUGE = "9" * 5000  # more digits than int() accepts


@pytest.mark.parametrize(
    ("header", "status", "content_range"),
    [
        (f"bytes={HUGE}-", HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, f"bytes */{len(CLIP)}"),
        (f"bytes=0-{HUGE}", HTTPStatus.PARTIAL_CONTENT, f"bytes 0-{len(CLIP) - 1}/{len(CLIP)}"),
        (f"bytes=-{HUGE}", HTTPStatus.PARTIAL_CONTENT, f"bytes 0-{len(CLIP) - 1}/{len(CLIP)}"),
        (f"bytes=10-{'0' * 5000}20", HTTPStatus.PARTIAL_CONTENT, f"bytes 10-20/{len(CLIP)}"),
    ],
)
def test_ranges_with_thousands_of_digits_are_clamped_or_refused(
    client, clip, header, status, content_range
):
    """A Range position too long for int() is past any file: 416 as a start, the end of
    the file as an end or a suffix; leading zeros do not count."""
    response = client.get(VIDEO_URL, HTTP_RANGE=header)

    assert response.status_code == status
    assert response["Content-Range"] == content_range


def test_a_range_in_other_scripts_digits_is_ignored(client, clip):
    """Only ASCII digits make a position: Arabic-Indic digits get the whole file."""
    response = client.get(VIDEO_URL, HTTP_RANGE="bytes=\u0661\u0660-")

    assert response.status_code == HTTPStatus.OK
