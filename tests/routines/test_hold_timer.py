"""The hold timer printed by ``{% hold_timer %}`` on "today", the session and technique pages."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from tests.factories import TechniqueFactory

HOSTILE = "Glute <script>alert(\"x\")</script> & 'roll'"


class _Timer(HTMLParser):
    """The timer's attributes and the text of its parts, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.attrs: dict = {}
        self.parts: dict[str, str] = {}
        self.tags: list[str] = []
        self._part: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "data-hold-timer" in attrs:
            self.attrs = attrs
        self._part = attrs.get("data-part")
        if self._part == "beep":
            self.parts["beep"] = ""

    def handle_data(self, data):
        if self._part:
            self.parts[self._part] = self.parts.get(self._part, "") + data

    def handle_endtag(self, tag):
        if tag == "label" and "beep" in self.parts:
            self.parts["beep"] = self.parts["beep"] or "box"
        self._part = None


def _timer(technique, **options) -> _Timer:
    args = " ".join(f"{key}={value}" for key, value in options.items())
    html = Template(f"{{% load hold_timer %}}{{% hold_timer technique {args} %}}").render(
        Context({"technique": technique})
    )
    parser = _Timer()
    parser.feed(html)
    return parser


@pytest.mark.django_db
def test_a_hostile_technique_name_stays_text_in_the_timer():
    """The name is written escaped: the label reads it as it is and no tag comes of it."""
    timer = _timer(TechniqueFactory(name=HOSTILE, duration_seconds=45, per_side=False))
    assert timer.attrs["aria-label"] == f"Hold timer for {HOSTILE}"
    assert "script" not in timer.tags
    assert timer.attrs["data-per-side"] == "false"
    assert timer.parts["side"] == "Hold"
    assert timer.parts["clock"] == "45 s"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("minutes", "target"), [(1, "1 unbroken minute"), (5, "5 unbroken minutes")]
)
def test_a_stretch_gets_a_stillness_timer_with_its_target_in_words(minutes, target):
    """A technique with a target in minutes times stillness, in the singular for one."""
    timer = _timer(TechniqueFactory(name=HOSTILE, target_minutes=minutes), page_beep=True)
    assert timer.attrs["data-hold-timer"] == "stretch"
    assert timer.attrs["aria-label"] == f"Stillness timer for {HOSTILE}"
    assert timer.attrs["data-minutes-field"] == "id_stretch-unbroken_minutes"
    assert timer.parts["side"] == f"Target: {target}"
    assert "beep" not in timer.parts  # "today" has one beep box for the page


@pytest.mark.django_db
def test_a_standalone_timer_brings_its_own_styles_script_and_beep_box():
    """On a technique page the timer links what it needs and has its own beep box."""
    technique = TechniqueFactory(duration_seconds=60, per_side=True)
    html = Template("{% load hold_timer %}{% hold_timer technique standalone=True %}").render(
        Context({"technique": technique})
    )
    assert html.startswith('<link rel="stylesheet" href="/static/css/routines.css">')
    assert html.endswith('<script src="/static/js/timer.js" defer></script>\n')
    timer = _timer(technique)
    assert timer.parts["beep"] == " Beep to switch sides"
    assert timer.parts["side"] == "Side 1 of 2"
