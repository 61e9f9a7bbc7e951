"""Uploads in the admin: oversized files and files of the wrong type are refused with a message."""

import io
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from techniques.models import Step, Technique
from techniques.validators import FILE_TOO_BIG, NOT_A_VIDEO
from tests.factories import UserFactory, technique_change_form

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM_HEAD = b"\x1a\x45\xdf\xa3" + b"\x00" * 64


def _png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _errors(technique: Technique) -> dict:
    with pytest.raises(ValidationError) as caught:
        technique.full_clean()
    return caught.value.message_dict


@pytest.fixture
def technique(catalogue):
    return Technique.objects.get(slug="quads-roll")


@pytest.mark.parametrize(
    ("name", "content"),
    [("roll.mp4", MP4_HEAD), ("roll.webm", WEBM_HEAD), ("roll.M4V", MP4_HEAD)],
)
def test_a_real_mp4_or_webm_video_is_accepted(technique, name, content):
    """A video whose name and first bytes agree passes validation."""
    technique.video = SimpleUploadedFile(name, content, content_type="video/mp4")
    technique.full_clean()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roll.exe", MP4_HEAD, "File extension “exe” is not allowed"),
        ("roll.mp4", b"MZ\x90\x00 this is a program", NOT_A_VIDEO),
        ("roll.webm", b"<html><script>alert(1)</script>", NOT_A_VIDEO),
        ("roll.mp4", b"", NOT_A_VIDEO),
    ],
)
def test_a_file_that_is_not_a_video_is_refused(technique, name, content, message):
    """A video upload with the wrong extension or non-video content is refused, saying why."""
    technique.video = SimpleUploadedFile(name, content)
    assert any(message in text for text in _errors(technique)["video"])


def test_an_oversized_video_is_refused_with_the_limit(technique, settings):
    """A video over TECHNIQUE_VIDEO_MAX_BYTES is refused with its size and the limit."""
    settings.TECHNIQUE_VIDEO_MAX_BYTES = 1024
    technique.video = SimpleUploadedFile("roll.mp4", MP4_HEAD + b"\x00" * 2048)
    (message,) = _errors(technique)["video"]
    assert message == FILE_TOO_BIG % {"size": "2.1\xa0KB", "limit": "1.0\xa0KB"}


def test_an_oversized_image_is_refused(technique, settings):
    """An image over TECHNIQUE_IMAGE_MAX_BYTES is refused with a message."""
    settings.TECHNIQUE_IMAGE_MAX_BYTES = 100
    technique.image = SimpleUploadedFile("photo.png", _png((64, 64)), content_type="image/png")
    assert "the limit is 100\xa0bytes" in _errors(technique)["image"][0]


def test_a_step_image_with_a_wrong_extension_is_refused(technique):
    """A step photo must be a JPEG, PNG, WebP or GIF file by name."""
    step = Step(technique=technique, position=99, text="Roll slowly.")
    step.image = SimpleUploadedFile("photo.svg", b"<svg onload='alert(1)'/>")
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert "“svg” is not allowed" in caught.value.message_dict["image"][0]


def test_the_default_limits_are_five_and_two_hundred_megabytes(settings):
    """Images are capped at 5 MB and videos at 200 MB unless the environment says otherwise."""
    assert settings.TECHNIQUE_IMAGE_MAX_BYTES == 5 * 1024 * 1024
    assert settings.TECHNIQUE_VIDEO_MAX_BYTES == 200 * 1024 * 1024


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def test_the_admin_refuses_a_fake_video_and_an_image_that_is_not_one(admin_client, technique):
    """Uploading a renamed program as a video and text as an image shows both errors."""
    url = f"/admin/techniques/technique/{technique.pk}/change/"
    response = admin_client.post(
        url,
        technique_change_form(
            technique,
            video=SimpleUploadedFile("roll.mp4", b"MZ\x90\x00 not a video"),
            image=SimpleUploadedFile("photo.png", b"not a picture"),
        ),
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "not an MP4 or WebM video" in body
    assert "Upload a valid image" in body
    technique.refresh_from_db()
    assert not technique.video
    assert not technique.image


def test_the_admin_stores_a_real_video_and_image(admin_client, technique):
    """A real PNG and MP4 are saved by the admin."""
    url = f"/admin/techniques/technique/{technique.pk}/change/"
    response = admin_client.post(
        url,
        technique_change_form(
            technique,
            video=SimpleUploadedFile("roll.mp4", MP4_HEAD),
            image=SimpleUploadedFile("photo.png", _png()),
        ),
    )
    assert response.status_code == HTTPStatus.FOUND
    technique.refresh_from_db()
    assert technique.video.name.endswith(".mp4")
    assert technique.image.name.endswith(".png")
    technique.full_clean()  # stored files are not re-read on later saves
