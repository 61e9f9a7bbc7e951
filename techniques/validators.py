"""Checks on files uploaded in the admin: size caps and content that matches the extension.

Images are also opened by Pillow through ``ImageField``, which refuses anything that is
not a picture; videos are checked here by their first bytes (MP4's ``ftyp`` box, WebM's
EBML header), so a renamed file of another kind is refused too.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
VIDEO_EXTENSIONS = ["mp4", "m4v", "webm"]
FILE_TOO_BIG = "This file is %(size)s; the limit is %(limit)s. Please upload a smaller one."
NOT_A_VIDEO = "This file is not an MP4 or WebM video (its content does not match its name)."

image_extension = FileExtensionValidator(IMAGE_EXTENSIONS)
video_extension = FileExtensionValidator(VIDEO_EXTENSIONS)


@deconstructible
class MaxFileSize:
    """Refuse files over the byte count in the named setting (read at validation time)."""

    def __init__(self, setting: str):
        self.setting = setting

    def __call__(self, file) -> None:
        limit = getattr(settings, self.setting)
        if not _is_stored(file) and file.size > limit:
            raise ValidationError(
                FILE_TOO_BIG,
                code="file_too_big",
                params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, MaxFileSize) and other.setting == self.setting


def _is_stored(file) -> bool:
    # A file already in storage was checked when it was uploaded; re-reading it on every
    # save would be slow, and a file missing from disk must not break the admin form.
    return getattr(file, "_committed", False)


def _head(file, count: int = 64) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(count)
    file.seek(position)
    return head


def is_video_content(head: bytes) -> bool:
    """True for the start of an MP4/QuickTime-family file or a WebM/Matroska file."""
    mp4 = len(head) >= 12 and head[4:8] == b"ftyp"
    webm = head.startswith(b"\x1a\x45\xdf\xa3")
    return mp4 or webm


def validate_video_content(file) -> None:
    """Refuse an uploaded "video" whose first bytes are not an MP4 or WebM header."""
    if not _is_stored(file) and not is_video_content(_head(file)):
        raise ValidationError(NOT_A_VIDEO, code="not_a_video")


image_size = MaxFileSize("TECHNIQUE_IMAGE_MAX_BYTES")
video_size = MaxFileSize("TECHNIQUE_VIDEO_MAX_BYTES")
IMAGE_VALIDATORS = [image_extension, image_size]
VIDEO_VALIDATORS = [video_extension, video_size, validate_video_content]
