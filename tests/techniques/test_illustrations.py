"""The picture of every position: drawn from four catalogue values, described in words,
checked, and shown on the technique page, in the handout and beside each plan item."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from routines import documents
from routines import selectors as routine_selectors
from techniques import illustrations, pdf, selectors
from techniques.models import PICTURE_PROBLEM_ERROR, Technique
from techniques.services import CATALOGUE_FILE, CatalogueError, catalogue_load, catalogue_read
from tests.factories import RoutineFactory, TechniqueFactory

SVG = "{http://www.w3.org/2000/svg}"
PSOAS_PICTURE = {"pose": "face-down", "tool": "ball", "contact": "belly", "direction": "press"}


def _catalogue_pictures() -> list[tuple[str, dict[str, str]]]:
    return [(item["slug"], item["picture"]) for item in catalogue_read()["techniques"]]


CATALOGUE_PICTURES = _catalogue_pictures()


def _painted(colour: str) -> str:
    """How WeasyPrint sets ``colour`` as the fill colour in a PDF content stream."""
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return " ".join(f"{c:.6f}".rstrip("0").rstrip(".") or "0" for c in channels) + " rg"


def _pictures_painted(content: bytes) -> int:
    """How many drawn pictures a PDF holds: each paints its three layers' outlines."""
    outline = _painted(illustrations.OUTLINE)
    total = 0
    for page in PdfReader(io.BytesIO(content)).pages:
        total += page.get_contents().get_data().decode("latin-1").count(outline)
    return total // 3


def _text(content: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages
    ]


# --- The drawing, from the values alone --------------------------------------------------


@pytest.mark.parametrize(("slug", "picture"), CATALOGUE_PICTURES)
def test_every_catalogue_picture_is_well_formed_svg_named_by_its_description(slug, picture):
    """Each technique's picture parses as XML and carries its description as its name."""
    assert illustrations.problem(**picture) is None, slug
    root = ET.fromstring(illustrations.draw(**picture, colour="#2f6f5e"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == illustrations.describe(**picture)
    assert len(root.get("viewBox").split()) == 4
    assert root.findall(f"{SVG}path"), "a picture with nothing drawn"


@pytest.mark.parametrize(("slug", "picture"), CATALOGUE_PICTURES)
def test_the_tool_touches_the_contact_point_and_rests_on_its_support(slug, picture):
    """The tool meets the body at the catalogue's contact point and stands on the floor,
    a seat or a table, or against the wall; no part of the body goes through either."""
    scene = illustrations.arrangement(
        pose=picture["pose"], tool=picture["tool"], contact=picture["contact"]
    )
    pose = illustrations.POSES[picture["pose"]]
    tool = illustrations.TOOLS[picture["tool"]]
    contact = illustrations.CONTACTS[picture["contact"]]
    segment = scene.figure.segment(scene.contact_part)
    assert scene.contact_part.endswith(contact.segment)
    if scene.figure.view == "top":
        assert abs(scene.tool_centre - segment.at(contact.t)) < 0.01
        return
    depth = (
        tool.size[1]
        if tool.shape == "box" and pose.support == illustrations.FLOOR
        else (tool.size[0])
    )
    touching = abs(scene.tool_centre - segment.at(contact.t)) - segment.radius(contact.t) - depth
    assert abs(touching) < 0.01, slug
    far_edge = scene.tool_centre + pose.support * depth
    if pose.support == illustrations.FLOOR:
        surfaces = [0.0, *(h for h, x0, x1 in scene.figure.surfaces if x0 <= far_edge.real <= x1)]
        assert min(abs(far_edge.imag - h) for h in surfaces) < illustrations.TOLERANCE, slug
        assert scene.figure.lowest()[0] > -illustrations.TOLERANCE, slug
    else:
        assert abs(far_edge.real - scene.wall_x) < 0.01, slug
        assert scene.figure.through(scene.wall_x, pose.support, skip=scene.contact_part) is None


def test_the_description_reads_the_four_values():
    """The text alternative says the pose, the tool, where it goes and the movement."""
    assert (
        illustrations.describe(
            pose="face-down", tool="ball", contact="front-of-hip", direction="press"
        )
        == "Lying face down on the forearms, a ball under the front of the hip, pressing down."
    )
    assert illustrations.describe(
        pose="wall-back", tool="ball", contact="top-of-shoulder", direction="roll"
    ) == (
        "Standing with the back to a wall, a ball between the wall and the top of the "
        "shoulder blade, moving up and down."
    )
    assert illustrations.describe(
        pose="sitting-legs-long", tool="foam-roller", contact="calf", direction="roll"
    ).endswith("a foam roller under the calf, rolling along the lower leg.")


def test_unknown_values_are_refused_naming_the_choices():
    """An unknown pose, tool, contact point or direction is named with what it could be."""
    message = illustrations.problem(
        pose="flying", tool="ball", contact="elbow-pit", direction="press"
    )
    assert "unknown pose “flying”" in message
    assert "face-down" in message
    assert "unknown contact point “elbow-pit”" in message
    with pytest.raises(illustrations.IllustrationError):
        illustrations.draw(
            pose="flying", tool="ball", contact="belly", direction="press", colour="#2f6f5e"
        )


@pytest.mark.parametrize(
    ("pose", "tool", "contact", "words"),
    [
        ("face-down", "ball", "calf", "in this pose the calf does not face the floor"),
        ("wall-back", "ball", "chest", "does not face the wall"),
        ("face-down", "ball", "outer-thigh", "a side view cannot show the outer thigh"),
        ("on-side", "ball", "buttock", "faces the viewer"),
        ("face-down", "foam-roller", "back-of-upper-arm", "cannot rest on the tool"),
        ("face-down", "ball", "back-of-armpit", "does not rest on anything"),
        ("on-back", "foam-roller", "calf", "would go through the floor"),
        ("wall-back", "ball", "back-of-thigh", "would go through the wall"),
        ("wall-side", "ball", "back-of-upper-arm", "nothing can hold a tool"),
    ],
)
def test_a_position_that_cannot_be_drawn_is_refused_saying_why(pose, tool, contact, words):
    """Known values that make no sense together are refused in plain words."""
    message = illustrations.problem(pose=pose, tool=tool, contact=contact, direction="press")
    assert message is not None
    assert words in message


def test_any_combination_is_either_drawn_or_refused_in_words():
    """Whatever staff choose, the answer is a well-formed picture or a sentence, never a
    crash: every pose with every contact point and tool, in every direction."""
    drawn = 0
    for pose in illustrations.POSES:
        for contact in illustrations.CONTACTS:
            for tool in illustrations.TOOLS:
                values = {"pose": pose, "tool": tool, "contact": contact}
                if illustrations.problem(**values, direction="press") is not None:
                    continue
                drawn += 1
                for direction in illustrations.DIRECTIONS:
                    ET.fromstring(
                        illustrations.draw(**values, direction=direction, colour="#123456")
                    )
    assert drawn > 100


def test_only_a_checked_colour_reaches_the_svg():
    """A region colour that is not #rrggbb is replaced, so no markup can ride in on it."""
    hostile = '#2f6f5e" onload="alert(1)'
    svg = illustrations.draw(**PSOAS_PICTURE, colour=hostile)
    assert "onload" not in svg
    assert illustrations.NEUTRAL_MUSCLE in svg
    ET.fromstring(svg)
    assert "#2f6f5e" in illustrations.draw(**PSOAS_PICTURE, colour="#2F6F5E")


def test_a_picture_described_beside_it_is_hidden_from_screen_readers():
    """Without a label the SVG is aria-hidden, so the written description is read once."""
    root = ET.fromstring(illustrations.draw(**PSOAS_PICTURE, colour="#2f6f5e", labelled=False))
    assert root.get("aria-hidden") == "true"
    assert root.get("aria-label") is None


# --- Stored on the technique, checked by the model and the seed ---------------------------


@pytest.mark.django_db
def test_the_model_refuses_unknown_values_and_undrawable_pictures():
    """full_clean (the admin and the seed) refuses unknown values and impossible pictures."""
    technique = TechniqueFactory(
        pose="face-down", pose_tool="ball", contact_point="belly", direction="press"
    )
    technique.full_clean()
    technique.pose = "flying"
    with pytest.raises(ValidationError) as unknown:
        technique.full_clean()
    assert "pose" in unknown.value.message_dict
    technique.pose, technique.contact_point = "face-down", "calf"
    with pytest.raises(ValidationError) as undrawable:
        technique.full_clean()
    assert undrawable.value.message_dict["pose"] == [
        PICTURE_PROBLEM_ERROR.format(problem="in this pose the calf does not face the floor")
    ]


@pytest.mark.django_db
def test_the_four_values_come_together_or_not_at_all():
    """A picture with only some of its values is refused, naming the missing ones."""
    technique = TechniqueFactory(pose="face-down", pose_tool="ball")
    with pytest.raises(ValidationError) as error:
        technique.full_clean()
    assert set(error.value.message_dict) == {"contact_point", "direction"}
    TechniqueFactory().full_clean()  # no picture at all is fine


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_pose():
    """A write that skips validation still cannot store a pose the drawing does not know."""
    technique = TechniqueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Technique.objects.filter(pk=technique.pk).update(pose="flying")


@pytest.mark.django_db
def test_the_seed_refuses_an_unknown_pose_naming_the_technique():
    """The seed stops before writing anything, saying which technique and what is wrong."""
    data = catalogue_read()
    data["techniques"][0]["picture"]["pose"] = "flying"
    slug = data["techniques"][0]["slug"]
    with pytest.raises(
        CatalogueError, match=rf"^{slug}: the picture cannot be drawn: unknown pose"
    ):
        catalogue_load(data=data)
    assert not Technique.objects.exists()


@pytest.mark.django_db
def test_the_seed_command_reports_a_missing_picture(tmp_path):
    """seed_catalogue exits with the technique's name when its picture is missing."""
    text = CATALOGUE_FILE.read_text()
    broken = tmp_path / "catalogue.toml"
    broken.write_text(
        text.replace(
            'picture = { pose = "face-down", tool = "ball", contact = "belly", '
            'direction = "press" }\n',
            "",
        )
    )
    with pytest.raises(CommandError, match="psoas-press: no picture"):
        call_command("seed_catalogue", file=broken)


# --- Shown wherever the technique is ---------------------------------------------------


class _Figures(HTMLParser):
    """The figures of a page: class, whether they hold an SVG or an image, and caption."""

    def __init__(self):
        super().__init__()
        self.figures: list[dict] = []
        self._caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "illustration" in attrs.get("class", ""):
            self.figures.append({"class": attrs["class"], "caption": "", "svg": None, "img": None})
        elif self.figures and tag == "svg" and self.figures[-1]["svg"] is None:
            self.figures[-1]["svg"] = attrs
        elif self.figures and tag == "img" and self.figures[-1]["img"] is None:
            self.figures[-1]["img"] = attrs
        elif tag == "figcaption":
            self._caption = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._caption = False

    def handle_data(self, data):
        if self._caption:
            self.figures[-1]["caption"] += data


def _figures(html: str) -> list[dict]:
    parser = _Figures()
    parser.feed(html)
    return parser.figures


@pytest.mark.django_db
def test_every_published_technique_shows_its_picture_at_the_top_of_its_steps(client, catalogue):
    """Each page has the drawing, described under it, right after "Step by step"."""
    for technique in Technique.objects.published().select_related("region"):
        html = client.get(technique.get_absolute_url()).content.decode()
        figures = _figures(html)
        assert len(figures) == 1, technique.slug
        assert figures[0]["svg"]["aria-hidden"] == "true"
        assert figures[0]["caption"] == technique.picture_description != ""
        steps = html.index('id="steps-heading"')
        assert steps < html.index('class="illustration') < html.index('<ol class="steps">')


@pytest.mark.django_db
def test_an_uploaded_photo_is_shown_instead_of_the_drawing(client, catalogue, settings):
    """Where staff uploaded a photo, the page shows it, described by its own words."""
    technique = Technique.objects.get(slug="psoas-press")
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00"
        b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    technique.image = SimpleUploadedFile("psoas.gif", gif, content_type="image/gif")
    technique.image_alt = "A member on a mat with a ball under the belly <b>"
    technique.save()
    figures = _figures(client.get(technique.get_absolute_url()).content.decode())
    assert len(figures) == 1
    assert figures[0]["svg"] is None
    assert figures[0]["img"]["alt"] == "A member on a mat with a ball under the belly <b>"


@pytest.mark.django_db
def test_every_handout_prints_its_picture_on_its_first_page(catalogue, settings):
    """In the booklet of every handout, each handout's first page has the drawing and
    its description."""
    techniques = list(selectors.technique_handouts())
    booklet = pdf.booklet_document(techniques, region=None, size="a4", site_url="http://x.test/")
    content = booklet.render()
    pages = _text(content)
    reader = PdfReader(io.BytesIO(content))
    outline = _painted(illustrations.OUTLINE)
    for technique in techniques:
        first = next(
            i for i, text in enumerate(pages) if f"x.test/techniques/{technique.slug}/" in text
        )
        assert technique.picture_description in pages[first], technique.slug
        drawn = reader.pages[first].get_contents().get_data().decode("latin-1")
        assert drawn.count(outline) == 3, technique.slug


@pytest.mark.django_db
def test_a_handout_without_a_picture_draws_none(db):
    """The check above would fail on a handout with no picture: nothing is painted."""
    technique = TechniqueFactory()
    loaded = selectors.technique_handouts().get(pk=technique.pk)
    assert _pictures_painted(pdf.render_technique_pdf(loaded, site_url="http://x.test/")) == 0


@pytest.mark.django_db
def test_changing_the_picture_gives_the_handout_a_new_version(catalogue):
    """A handout is stored per content version; the picture's values are part of it."""
    state = selectors.technique_handout_state(slug="psoas-press")
    before = pdf.handout_version(state, size="a4", site_url="http://x.test/")
    Technique.objects.filter(slug="psoas-press").update(pose_tool="soft-ball")
    state = selectors.technique_handout_state(slug="psoas-press")
    assert pdf.handout_version(state, size="a4", site_url="http://x.test/") != before


@pytest.fixture
def plan_data(user, catalogue, settings):
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True
    RoutineFactory(member=user, start_date=date(2026, 3, 2), per_day=3)
    routine = routine_selectors.routine_for(user)
    data = routine_selectors.routine_data(routine, today=date(2026, 3, 2))
    return data, routine_selectors.plan_upcoming(data)


@pytest.mark.django_db
def test_every_item_of_the_plan_pdf_has_its_picture(plan_data, monkeypatch):
    """Each planned item is printed with its technique's drawing, named by its description."""
    data, days = plan_data
    sources = []
    real = documents.html_to_pdf
    monkeypatch.setattr(
        documents, "html_to_pdf", lambda source: sources.append(source) or real(source)
    )
    content = documents.plan_pdf(data, days, site_url="http://x.test")
    rows = [row for plan in days for row in routine_selectors.item_rows(data, plan)]
    figures = _figures(sources[0])
    assert [f["svg"]["aria-label"] for f in figures] == [
        row.technique.picture_description for row in rows
    ]
    assert _pictures_painted(content) == len(rows) > 14


@pytest.mark.django_db
def test_the_plan_pdf_reads_no_technique_again_for_its_pictures(plan_data):
    """The pictures come from the techniques the plan already loaded: a plan of one day
    and a plan of fourteen, with many more techniques, cost the same queries."""
    data, days = plan_data
    counts = []
    for shown in (days[:1], days):
        with CaptureQueriesContext(connection) as queries:
            documents.plan_pdf(data, shown, site_url="http://x.test")
        counts.append(len(queries))
    techniques = {item.slug for plan in days for item in plan.items}
    assert len(techniques) > len(days[0].items)
    assert counts[0] == counts[1]


# --- The admin --------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_choose_the_picture_from_lists_and_see_it(admin_client, catalogue):
    """The technique's admin page offers the four values as choices and previews the
    drawing; one page shows every technique's picture."""
    psoas = Technique.objects.get(slug="psoas-press")
    html = admin_client.get(f"/admin/techniques/technique/{psoas.pk}/change/").content.decode()
    for name in ("pose", "pose_tool", "contact_point", "direction"):
        assert f'<select name="{name}"' in html
    assert '<option value="face-down" selected>' in html
    assert psoas.picture_description in html
    sheet = admin_client.get("/admin/techniques/technique/pictures/")
    captions = [f["caption"] for f in _figures(sheet.content.decode())]
    assert captions == [
        t.picture_description
        for t in Technique.objects.order_by("region__position", "kind", "position", "name")
    ]


@pytest.mark.django_db
def test_the_page_of_every_picture_is_for_staff_only(client, auth_client, catalogue):
    """Visitors and members are sent to sign in as staff, not shown the sheet."""
    for visitor in (client, auth_client):
        response = visitor.get("/admin/techniques/technique/pictures/")
        assert response.status_code == 302
