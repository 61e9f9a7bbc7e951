import io
import logging
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.templatetags.static import static as static_url
from pypdf import PdfReader

from smrsite.context_processors import DISCLAIMER
from techniques import pdf, selectors
from techniques.models import FaqEntry, Region, Step, Technique, Tool
from tests.factories import FaqEntryFactory, RegionFactory, StepFactory, TechniqueFactory

pytestmark = pytest.mark.django_db

PSOAS_PDF = "/techniques/psoas-press/pdf/"
A4_POINTS = (595.28, 841.89)
LETTER_POINTS = (612.0, 792.0)


def _text(content: bytes) -> list[str]:
    """Each page's text with whitespace collapsed, so wrapped lines compare as written."""
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _flat(value: str) -> str:
    return re.sub(r"\s+", " ", value)


@pytest.fixture
def render_calls(monkeypatch):
    """Counts real WeasyPrint renders."""
    calls = []
    real = pdf.html_to_pdf

    def counting(source, **kwargs):
        calls.append(source)
        return real(source, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return calls


@pytest.fixture
def small_catalogue(db):
    """Three techniques in two regions: quick to render in a batch."""
    hip = RegionFactory(slug="hip", name="Hip", position=1)
    calves = RegionFactory(slug="calves", name="Calves", position=2)
    techniques = [
        TechniqueFactory(name="Glute Roll", slug="glute-roll", region=hip),
        TechniqueFactory(name="Hip Press", slug="hip-press", region=hip),
        TechniqueFactory(name="Calf Roll", slug="calf-roll", region=calves),
    ]
    for technique in techniques:
        StepFactory(technique=technique, position=1, text=f"Start {technique.name}.")
    return techniques


def test_pdf_holds_the_name_every_step_and_the_disclaimer(client, catalogue):
    """The handout is a real PDF whose text has the name, each step and the disclaimer."""
    response = client.get(PSOAS_PDF)

    assert response.status_code == HTTPStatus.OK
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    pages = _text(content)
    text = " ".join(pages)
    assert "Psoas Press" in text
    for step in Step.objects.filter(technique__slug="psoas-press"):
        assert _flat(step.text) in text
    assert "Supported Corpse Stretch" in text
    assert "Quads Roll" in text
    for page in pages:
        assert _flat(DISCLAIMER) in page
        assert "/techniques/psoas-press/" in page
    assert 1 <= len(pages) <= 2


def test_pdf_is_an_a4_attachment_named_after_the_slug(client, catalogue):
    """By default the PDF is A4, served as an attachment called <slug>.pdf."""
    response = client.get(PSOAS_PDF)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="psoas-press.pdf"'
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)


def test_letter_size_is_available_on_request(client, catalogue):
    """?size=letter prints on US Letter paper, saved as <slug>-letter.pdf beside the A4 one."""
    response = client.get(PSOAS_PDF, {"size": "letter"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == 'attachment; filename="psoas-press-letter.pdf"'
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(LETTER_POINTS, abs=0.5)


def test_links_in_the_pdf_use_the_address_the_reader_came_from(client, catalogue):
    """Printed links are built from the request's own host."""
    response = client.get(PSOAS_PDF, HTTP_HOST="localhost")

    assert "localhost/techniques/psoas-press/" in " ".join(_text(response.content))


def test_unknown_paper_size_is_a_bad_request(client, catalogue):
    """A made-up size gives 400 with a message naming the sizes we print on."""
    response = client.get(PSOAS_PDF, {"size": "a3"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "?size=letter" in response.content.decode()


@pytest.mark.parametrize("slug", ["no-such-technique", "hidden"])
def test_unknown_or_unpublished_technique_has_no_pdf(client, db, slug):
    """A slug that is not a published technique gives 404."""
    TechniqueFactory(slug="hidden", is_published=False)

    assert client.get(f"/techniques/{slug}/pdf/").status_code == HTTPStatus.NOT_FOUND


def test_second_download_reuses_the_stored_pdf(client, catalogue, render_calls):
    """Nothing changed, so the second download is served from storage without rendering."""
    first = client.get(PSOAS_PDF)
    second = client.get(PSOAS_PDF)

    assert len(render_calls) == 1
    assert b"".join(second.streaming_content) == first.content
    assert second["ETag"] == first["ETag"]
    assert default_storage.exists(pdf.stored_name("psoas-press", first["ETag"].strip('"')))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda t: Step.objects.filter(technique=t, position=2).update(text="Lie down slowly."),
            id="step text",
        ),
        pytest.param(
            lambda t: Technique.objects.filter(pk=t.pk).update(name="Psoas Ball Press"),
            id="name",
        ),
        pytest.param(
            lambda t: Technique.objects.filter(pk=t.paired_stretch_id).update(name="Corpse Rest"),
            id="paired stretch name",
        ),
        pytest.param(lambda t: t.tools.clear(), id="tools"),
        pytest.param(
            lambda t: Tool.objects.filter(techniques=t).update(name="Firm Ball"), id="tool name"
        ),
        pytest.param(
            lambda t: Region.objects.filter(pk=t.region_id).update(name="Hips"), id="region name"
        ),
        pytest.param(
            lambda t: Technique.objects.filter(pk=t.after_id).update(name="Thigh Roll"),
            id="do-it-after name",
        ),
        pytest.param(
            lambda t: Technique.objects.filter(pk=t.pk).update(cautions="Not after meals."),
            id="cautions",
        ),
        pytest.param(
            lambda t: Step.objects.filter(technique=t, position=6).delete(), id="step removed"
        ),
    ],
)
def test_any_change_to_what_is_printed_gives_a_new_pdf(client, catalogue, render_calls, change):
    """Editing the technique, its steps or what it links to renders and serves a new version."""
    first = client.get(PSOAS_PDF)
    change(Technique.objects.get(slug="psoas-press"))
    second = client.get(PSOAS_PDF)

    assert len(render_calls) == 2
    assert second["ETag"] != first["ETag"]
    assert second.content != first.content


def test_replacing_a_step_image_file_gives_a_new_version(catalogue, settings):
    """A new file behind the same image name changes the version (size and mtime count)."""
    technique = Technique.objects.get(slug="psoas-press")
    image = settings.MEDIA_ROOT / "techniques" / "steps" / "press.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(_PNG)
    Step.objects.filter(technique=technique, position=1).update(image="techniques/steps/press.png")
    technique = selectors.technique_handouts().get(slug="psoas-press")
    before = pdf.technique_document(technique, size="a4", site_url="http://testserver/").version
    image.write_bytes(_PNG + b"\0" * 10)
    after = pdf.technique_document(technique, size="a4", site_url="http://testserver/").version

    assert before != after


def test_step_images_are_printed(client, catalogue, settings):
    """A step photo uploaded in the admin is embedded in the PDF."""
    image = settings.MEDIA_ROOT / "techniques" / "steps" / "press.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(_PNG)
    Step.objects.filter(technique__slug="psoas-press", position=2).update(
        image="techniques/steps/press.png"
    )

    response = client.get(PSOAS_PDF)

    assert response.status_code == HTTPStatus.OK
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert len(page.images) == 1


def test_conditional_get_with_the_etag_is_not_modified(client, catalogue):
    """A browser that has the current version gets 304 for If-None-Match."""
    etag = client.get(PSOAS_PDF)["ETag"]

    response = client.get(PSOAS_PDF, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response["ETag"] == etag


def test_conditional_get_with_the_date_is_not_modified(client, catalogue):
    """A browser that has the current version gets 304 for If-Modified-Since."""
    last_modified = client.get(PSOAS_PDF)["Last-Modified"]

    response = client.get(PSOAS_PDF, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert response.status_code == HTTPStatus.NOT_MODIFIED


def test_an_old_etag_gets_the_new_pdf(client, catalogue):
    """If-None-Match with an outdated version gets the full, current PDF."""
    response = client.get(PSOAS_PDF, HTTP_IF_NONE_MATCH='"a4-0000"')

    assert response.status_code == HTTPStatus.OK
    assert response.content.startswith(b"%PDF")


def test_head_answers_with_the_pdf_headers(client, catalogue):
    """HEAD gives the same status and headers as GET, without a body."""
    response = client.head(PSOAS_PDF)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"]
    assert response.content == b""


def test_a_broken_image_gives_a_friendly_503_and_is_logged(client, catalogue, caplog):
    """A step image whose file is gone gives a 503 page with Retry-After, logged with the slug."""
    Step.objects.filter(technique__slug="psoas-press", position=1).update(
        image="techniques/steps/gone.png"
    )

    with caplog.at_level(logging.ERROR, logger="techniques.pdf"):
        response = client.get(PSOAS_PDF)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert int(response["Retry-After"]) > 0
    assert pdf.RENDER_FAILED_TITLE in response.content.decode()
    assert "psoas-press" in caplog.text
    assert client.get("/techniques/psoas-press/").status_code == HTTPStatus.OK


def test_a_renderer_error_gives_a_503_not_a_500(client, catalogue, monkeypatch):
    """Any exception inside WeasyPrint becomes the 503 page."""

    def broken(source, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)

    response = client.get(PSOAS_PDF)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert not default_storage.exists("pdfs/psoas-press")


def test_technique_page_links_the_pdfs_but_not_a_missing_video(client, catalogue):
    """The page links the A4 and Letter PDFs; no video link without a video file."""
    body = client.get("/techniques/psoas-press/").content.decode()

    assert 'href="/techniques/psoas-press/pdf/"' in body
    assert 'href="/techniques/psoas-press/pdf/?size=letter"' in body
    assert "/techniques/psoas-press/video/" not in body


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/logo.png",
        "https://example.org/static/css/print.css",
        "/static/../../../etc/passwd",
        "/media/../../etc/passwd",
        "/elsewhere/file.css",
        f"{pdf.ASSET_ORIGIN}etc/passwd",
        "data:text/css,body{}",
    ],
)
def test_fetcher_refuses_anything_but_our_files(url):
    """The URL fetcher loads neither other sites nor files outside static and media."""
    with pytest.raises(pdf.AssetRefusedError):
        pdf.AssetFetcher().fetch(url)


def test_fetcher_loads_our_stylesheet_from_disk():
    """The print stylesheet is read from disk with a CSS content type."""
    response = pdf.AssetFetcher().fetch(f"{pdf.ASSET_ORIGIN}static/css/print.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_rendering_never_fetches_outside_files(caplog):
    """A document pointing at /etc/passwd and another site renders without loading them."""
    source = (
        '<link rel="stylesheet" href="http://example.org/evil.css">'
        '<img src="file:///etc/passwd"><p>Safe text</p>'
    )

    with caplog.at_level(logging.WARNING, logger="techniques.pdf"):
        content = pdf.html_to_pdf(source)

    assert "Safe text" in _text(content)[0]
    assert "refused to fetch http://example.org/evil.css" in caplog.text
    assert "refused to fetch file:///etc/passwd" in caplog.text


def test_booklet_has_a_contents_page_listing_every_technique(client, small_catalogue):
    """The booklet opens with a contents page naming each technique, then their handouts."""
    response = client.get("/techniques/booklet/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == 'attachment; filename="smr-coach-booklet.pdf"'
    pages = _text(response.content)
    assert "Contents" in pages[0]
    for name in ["Glute Roll", "Hip Press", "Calf Roll"]:
        assert name in pages[0]
        assert any(name in page for page in pages[1:])


def test_region_booklet_holds_only_that_region(client, small_catalogue):
    """?region=calves gives a booklet of the calf techniques only."""
    response = client.get("/techniques/booklet/", {"region": "calves"})

    text = " ".join(_text(response.content))
    assert "Calf Roll" in text
    assert "Glute Roll" not in text


def test_booklet_of_an_unknown_region_is_not_found(client, small_catalogue):
    """A made-up region has no booklet."""
    assert client.get("/techniques/booklet/", {"region": "elbow"}).status_code == 404


def test_booklet_is_cached_like_the_handouts(client, small_catalogue, render_calls):
    """A second booklet download is served from storage and a conditional GET gets 304."""
    etag = client.get("/techniques/booklet/")["ETag"]
    again = client.get("/techniques/booklet/", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert len(render_calls) == 1


def test_catalogue_links_the_booklet(client, small_catalogue):
    """The catalogue page offers the booklet of what it shows."""
    assert 'href="/techniques/booklet/"' in client.get("/techniques/").content.decode()
    region_page = client.get("/techniques/", {"region": "hip"}).content.decode()
    assert 'href="/techniques/booklet/?region=hip"' in region_page


def test_build_pdfs_builds_everything_then_skips_what_is_current(small_catalogue, render_calls):
    """The first run renders each handout and booklet; the second renders nothing."""
    out = io.StringIO()
    call_command("build_pdfs", "--base-url", "https://smr.example/", stdout=out)
    first_run = len(render_calls)
    out = io.StringIO()
    call_command("build_pdfs", "--base-url", "https://smr.example/", stdout=out)

    # 3 techniques and 3 booklets (all, hip, calves), each in A4 and Letter.
    assert first_run == 12
    assert len(render_calls) == 12
    assert "0 built, 12 already current, 0 failed" in out.getvalue()
    assert "[########################]  12/12" in out.getvalue()


def test_build_pdfs_prebuilds_what_the_site_serves(client, small_catalogue, render_calls):
    """With the site's own address, a prebuilt handout is what the first download gets."""
    call_command(
        "build_pdfs", "--base-url", "http://testserver/", "--no-booklets", stdout=io.StringIO()
    )
    rendered = len(render_calls)

    response = client.get("/techniques/glute-roll/pdf/")

    assert response.status_code == HTTPStatus.OK
    assert len(render_calls) == rendered


def test_build_pdfs_reports_a_failure_and_builds_the_rest(small_catalogue):
    """A technique that cannot render is named with the reason; the others still build."""
    Step.objects.filter(technique__slug="hip-press").update(image="techniques/steps/gone.png")
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=r"^2 PDFs could not be rendered"):
        call_command("build_pdfs", "--no-booklets", stdout=out, stderr=err)

    assert "hip-press (a4): FatalURLFetchingError" in err.getvalue()
    assert "gone.png" in err.getvalue()
    assert "4 built, 0 already current, 2 failed" in out.getvalue()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#1d5c63").save(buffer, format="PNG")
    return buffer.getvalue()


_PNG = _png()


def test_handout_prints_the_faq_and_a_new_entry_gives_a_new_version(client, catalogue):
    """Answers promoted to the FAQ are printed, and adding one changes the handout's version."""
    first = client.get(PSOAS_PDF)
    FaqEntryFactory(
        technique=Technique.objects.get(slug="psoas-press"),
        question="Is a tennis ball firm enough?",
        answer="It works to start with; a firmer ball reaches deeper later on.",
    )
    second = client.get(PSOAS_PDF)

    text = " ".join(_text(second.content))
    assert "Asked and answered" in text
    assert "Is a tennis ball firm enough?" in text
    assert "a firmer ball reaches deeper later on" in text
    assert second["ETag"] != first["ETag"]


# --- Content versions read from the database --------------------------------------------


def _version(slug="psoas-press", size="a4", site_url="http://testserver/"):
    """The version a download computes: from the database, without rendering."""
    state = selectors.technique_handout_state(slug=slug)
    return pdf.handout_version(state, size=size, site_url=site_url)


@pytest.fixture
def psoas_with_everything(catalogue, settings):
    """Psoas Press with a photo, a step photo, a video file and an FAQ entry."""
    technique = Technique.objects.get(slug="psoas-press")
    for name in ("techniques/images/psoas.png", "techniques/steps/press.png"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_PNG)
    default_storage.save("techniques/videos/psoas.mp4", io.BytesIO(b"\0" * 64))
    Technique.objects.filter(pk=technique.pk).update(
        image="techniques/images/psoas.png", video="techniques/videos/psoas.mp4"
    )
    Step.objects.filter(technique=technique, position=2).update(image="techniques/steps/press.png")
    FaqEntryFactory(technique=technique, question="Which ball?", answer="A firm one.")
    return technique


def test_the_version_read_from_the_database_is_the_rendered_objects_version(
    psoas_with_everything,
):
    """A download's version equals the version the PDF is stored under, for every handout.

    If the two readers disagreed, every download would render the PDF again.
    """
    for technique in selectors.technique_handouts():
        document = pdf.technique_document(technique, size="a4", site_url="http://testserver/")

        assert _version(technique.slug) == document.version, technique.slug


def test_the_version_is_stable_while_nothing_printed_changes(catalogue):
    """Saving the technique, or editing what the handout does not print, keeps the version."""
    before = _version()
    technique = Technique.objects.get(slug="psoas-press")
    technique.save()
    Technique.objects.filter(pk=technique.pk).update(why_it_matters="Deep.", position=9)

    assert _version() == before


def test_paper_size_and_site_address_each_have_their_own_version(catalogue):
    """A4 and Letter, and each address the links are printed with, are different files."""
    versions = {
        _version(size="a4"),
        _version(size="letter"),
        _version(site_url="https://smr.example/"),
    }

    assert len(versions) == 3
    assert _version(size="letter").startswith("letter-")


def test_a_cached_download_runs_four_queries_and_builds_no_html(
    client, catalogue, monkeypatch, django_assert_num_queries
):
    """Once stored, a download and a conditional GET cost four small queries and no template."""
    etag = client.get(PSOAS_PDF)["ETag"]
    built = []
    real = pdf.technique_document
    monkeypatch.setattr(pdf, "technique_document", lambda *a, **k: built.append(1) or real(*a, **k))

    with django_assert_num_queries(4):
        assert client.get(PSOAS_PDF).status_code == HTTPStatus.OK
    with django_assert_num_queries(4):
        assert client.get(PSOAS_PDF, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert built == []


def test_changing_an_faq_entry_with_update_gives_a_new_pdf(client, catalogue, render_calls):
    """An FAQ answer edited without signals is printed in the next download."""
    entry = FaqEntryFactory(
        technique=Technique.objects.get(slug="psoas-press"), question="Q?", answer="Old answer."
    )
    first = client.get(PSOAS_PDF)
    FaqEntry.objects.filter(pk=entry.pk).update(answer="A new answer.")
    second = client.get(PSOAS_PDF)

    assert second["ETag"] != first["ETag"]
    assert "A new answer." in " ".join(_text(second.content))
    assert len(render_calls) == 2


@pytest.mark.parametrize("name", ["techniques/images/psoas.png", "techniques/steps/press.png"])
def test_replacing_an_image_file_gives_a_new_download(
    client, psoas_with_everything, settings, render_calls, name
):
    """A new photo saved under the same name is printed: its size and mtime are in the version."""
    first = client.get(PSOAS_PDF)
    (settings.MEDIA_ROOT / name).write_bytes(_PNG + b"\0" * 10)
    second = client.get(PSOAS_PDF)

    assert second["ETag"] != first["ETag"]
    assert len(render_calls) == 2


def test_a_video_file_appearing_gives_a_new_version(catalogue):
    """The handout links the video once its file is there, so the version changes with it."""
    Technique.objects.filter(slug="psoas-press").update(video="techniques/videos/psoas.mp4")
    without_file = _version()
    default_storage.save("techniques/videos/psoas.mp4", io.BytesIO(b"\0" * 64))

    assert _version() != without_file


def test_an_edit_during_a_render_is_stored_under_the_rendered_version(
    client, catalogue, monkeypatch
):
    """If the content changes between computing the version and rendering, the PDF is stored
    and served under the version of what it holds, never under the older one."""
    stale_state = selectors.technique_handout_state(slug="psoas-press")
    stale_version = _version()
    Technique.objects.filter(slug="psoas-press").update(name="Psoas Ball Press")
    monkeypatch.setattr(selectors, "technique_handout_state", lambda slug: stale_state)

    response = client.get(PSOAS_PDF)

    assert "Psoas Ball Press" in " ".join(_text(response.content))
    monkeypatch.undo()
    assert response["ETag"] == f'"{_version()}"'
    assert not default_storage.exists(pdf.stored_name("psoas-press", stale_version))


def test_the_version_covers_every_template_and_file_the_handout_uses(
    psoas_with_everything, settings
):
    """HANDOUT_TEMPLATES and HANDOUT_STATIC list all a handout is rendered from and loads."""
    from django.test.signals import template_rendered

    used = []

    def record(sender, template, **kwargs):
        used.append(template.name)

    technique = selectors.technique_handouts().get(slug="psoas-press")
    template_rendered.connect(record)
    try:
        source = pdf.technique_document(technique, size="a4", site_url="http://x/").html
    finally:
        template_rendered.disconnect(record)

    assert set(used) == set(pdf.HANDOUT_TEMPLATES)
    images = selectors.handout_state_of(technique).images
    assert len(images) == 2
    media = {pdf.asset_path(settings.MEDIA_URL + name) for name in images}
    static = {pdf.asset_path(static_url(name)) for name in pdf.HANDOUT_STATIC}
    assert pdf._referenced_files(source) == media | static


def test_a_template_change_gives_a_new_version(catalogue, settings, tmp_path):
    """A deploy that changes a handout template names a new version."""
    before = _version()
    override = tmp_path / "templates" / "techniques" / "pdf" / "_footer.html"
    override.parent.mkdir(parents=True)
    override.write_text('<footer class="page-footer">{{ site_name }}</footer>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]

    assert _version() != before


def test_a_stylesheet_change_gives_a_new_version(catalogue, settings, tmp_path):
    """A changed print stylesheet names a new version; an unchanged copy does not."""
    shipped = pdf.asset_path(static_url("css/print.css")).read_text()
    before = _version()
    settings.STATIC_ROOT = tmp_path / "static"
    collected = settings.STATIC_ROOT / "css" / "print.css"
    collected.parent.mkdir(parents=True)
    collected.write_text(shipped)
    same_content = _version()
    collected.write_text(shipped + "\nh1 { color: red; }\n")

    assert same_content == before
    assert _version() != before


# --- Warming up a worker ----------------------------------------------------------------


def test_warm_up_renders_without_touching_the_database(django_assert_num_queries):
    """The worker warm-up loads the URLconf, templates and fonts, and runs no query."""
    with django_assert_num_queries(0):
        pdf.warm_up()


def test_gunicorn_workers_warm_up_as_they_start(monkeypatch):
    """gunicorn's post_worker_init hook calls the warm-up, and a failing one is only logged;
    either way it freezes what the worker loaded out of the garbage collector's reach."""
    import gc
    import runpy
    from unittest import mock

    monkeypatch.setattr(gc, "freeze", freeze := mock.Mock())
    hooks = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    worker = mock.Mock()
    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append(1))
    hooks["post_worker_init"](worker)

    def broken():
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "warm_up", broken)
    hooks["post_worker_init"](worker)

    assert calls == [1]
    worker.log.exception.assert_called_once()
    assert freeze.call_count == 2


def _page_one(client, slug, size):
    response = client.get(f"/techniques/{slug}/pdf/", {"size": size})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return _text(content)[0]


def test_every_handout_has_its_cautions_on_page_one_before_the_steps(client, catalogue):
    """Someone who prints only page 1 still reads "Before you start" and its cautions.

    Every technique on US Letter, the shorter page, and the Psoas Press, whose cautions
    are the longest, on A4 too.
    """
    techniques = Technique.objects.published().exclude(cautions="")
    pages = [(t, _page_one(client, t.slug, "letter")) for t in techniques]
    psoas = techniques.get(slug="psoas-press")
    pages.append((psoas, _page_one(client, psoas.slug, "a4")))
    for technique, page_one in pages:
        caution = _flat(technique.cautions)
        assert caution in page_one, technique.slug
        assert page_one.index("Before you start") < page_one.index(caution)
        assert page_one.index(caution) < page_one.index("Step by step"), technique.slug


def test_a_letter_booklet_is_named_apart_but_stored_with_the_a4_one(client, small_catalogue):
    """The Letter booklet downloads as smr-coach-booklet-letter.pdf, kept in the same folder."""
    response = client.get("/techniques/booklet/", {"size": "letter"})

    assert response["Content-Disposition"] == (
        'attachment; filename="smr-coach-booklet-letter.pdf"'
    )
    assert default_storage.listdir("pdfs")[0] == ["smr-coach-booklet"]
