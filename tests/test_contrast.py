"""Every colour our stylesheets declare reads well where it can sit: computed, not sampled.

axe-core (tests/browser/) checks the text it finds on the pages it visits; these tests
check every colour the CSS can paint, including states axe rarely meets (form errors,
disabled controls, hover, a badge on a tinted panel). Pages load Bootstrap, then
``site.css``, then ``routines.css``; Bootstrap's rules count for the classes our
templates use. The handouts (WeasyPrint) load ``print.css`` alone, on white paper.
"""

import functools
import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

from tests.colours import classes_in, contrast, hex_of, parse_colour, read_palette, resolve

BASE = Path(settings.BASE_DIR)
BOOTSTRAP = BASE / "node_modules" / "bootstrap" / "dist" / "css" / "bootstrap.css"
PAGE_SHEETS = [BOOTSTRAP, BASE / "static/css/site.css", BASE / "static/css/routines.css"]
PRINT_SHEET = BASE / "static/css/print.css"
TEXT = 4.5  # WCAG 2.2 AA 1.4.3, held for text of every size
NON_TEXT = 3.0  # 1.4.11 and 2.4.13's minimum: focus rings, field edges, meaningful graphics

# Controls the browser draws: their fill holds no text.
CONTROLS = frozenset({"form-check-input", "form-range"})
# Classes built at run time or rendered by crispy-bootstrap5 for us.
RUNTIME_CLASSES = {
    *("alert-success", "alert-info", "alert-warning", "alert-danger"),  # messages
    *("invalid-feedback", "is-invalid", "form-text", "text-danger"),  # crispy
}


# Modules that write markup in Python (the day's log fields, printed comment cards).
MARKUP_MODULES = ("*/templatetags/*.py", "questions/cards.py")


def used_classes() -> set[str]:
    """Every class name our templates, markup-writing modules and scripts can put on a page."""
    words = set(RUNTIME_CLASSES)
    templates = [*BASE.glob("templates/**/*.html"), *BASE.glob("*/templates/**/*.html")]
    for path in [*templates, *(path for pattern in MARKUP_MODULES for path in BASE.glob(pattern))]:
        for value in re.findall(r'class="([^"]*)"', path.read_text(encoding="utf-8")):
            words.update(re.findall(r"[a-z][a-z0-9-]*", value))
    for path in BASE.glob("static/js/*.js"):
        words.update(re.findall(r"""classList\.\w+\(\s*["']([\w-]+)""", path.read_text()))
    return words


@functools.cache
def page_palette():
    used = used_classes()

    def applies(selector: str) -> bool:
        # The site never switches Bootstrap to its dark theme.
        return "data-bs-theme=dark" not in selector and classes_in(selector) <= used

    return read_palette(PAGE_SHEETS, keep=applies, textless=CONTROLS)


def low_contrast(palette, *, minimum: float) -> list[str]:
    """Each text colour under ``minimum`` on a surface, once per surface colour."""
    # Text set alone is checked on every surface: a background that suits only light
    # text must set its text colour too, and then it is a pair.
    pairs = [(text, surface) for text in palette.texts for surface in palette.surfaces]
    failures = {}
    for text, surface in [*pairs, *palette.pairs]:
        if (ratio := contrast(text.colour, surface.colour)) < minimum:
            failures.setdefault((str(text), surface.colour), f"{ratio:.2f}:1 {text} on {surface}")
    return sorted(failures.values())


def test_the_palette_is_read_from_our_stylesheets():
    """The reader finds our text colours, surfaces and pairs, so the other tests can fail."""
    palette = page_palette()
    texts = {hex_of(t.colour) for t in palette.texts}
    surfaces = {hex_of(s.colour) for s in palette.surfaces}
    assert {"#1f2529", "#535f68", "#a4262c"} <= texts  # ink, muted, errors
    assert {"#ffffff", "#fbfaf7", "#e6f0f0", "#fff6e5", "#e9ecef"} <= surfaces
    assert any(".badge-staff" in text.where for text, _ in palette.pairs)
    assert any(".invalid-feedback" in text.where for text in palette.texts)
    # Bootstrap's grey, blue and red would fail on our panels: the reader must see them.
    bootstrap_only = read_palette([BOOTSTRAP], keep=lambda s: ".btn-outline-secondary" in s)
    assert low_contrast(bootstrap_only, minimum=TEXT) == []  # alone, on no surface
    bootstrap_only.surfaces = palette.surfaces
    assert low_contrast(bootstrap_only, minimum=TEXT) != []


def test_every_text_colour_reads_on_every_surface_it_can_sit_on():
    """Text set alone reaches 4.5:1 on every surface; badges and buttons on their own."""
    assert low_contrast(page_palette(), minimum=TEXT) == []


def test_the_handouts_text_reads_on_their_paper_and_panels():
    """print.css: every text colour reaches 4.5:1 on white paper and the handout's panels."""
    palette = read_palette([PRINT_SHEET], page="html")
    paper = type(palette.texts[0])((255, 255, 255), "the paper")
    palette.surfaces.append(paper)
    assert len(palette.texts) > 3
    assert low_contrast(palette, minimum=TEXT) == []


def test_one_focus_ring_for_the_whole_site_that_frameworks_cannot_remove():
    """:focus-visible draws a 2 px+ outline, !important, at 3:1 on every surface."""
    palette = page_palette()
    [site_wide] = [
        declarations
        for selector, declarations in palette.rules.items()
        if selector.startswith(":focus-visible") and "outline" in declarations
    ]
    outline = site_wide["outline"]
    assert outline.endswith("!important"), "Bootstrap's `outline: 0` would win"
    assert site_wide["box-shadow"] == "none !important", "Bootstrap's faint rings stay"
    width = re.search(r"(\d+(?:\.\d+)?)px", outline)
    assert width is not None
    assert float(width[1]) >= 2
    ring = parse_colour(resolve(outline, palette.variables))
    assert ring is not None
    low = [
        f"{contrast(ring, s.colour):.2f}:1 on {s}"
        for s in palette.surfaces
        if contrast(ring, s.colour) < NON_TEXT
    ]
    assert low == []
    for other in palette.focus_rings:  # any other focus outline with a colour
        assert all(contrast(other.colour, s.colour) >= NON_TEXT for s in palette.surfaces), other


def test_disabled_controls_are_never_faded():
    """No rule for a disabled state lowers opacity: disabled text stays at 4.5:1."""
    palette = page_palette()
    faded = []
    for selector, declarations in palette.rules.items():
        if "disabled" in selector and "opacity" in declarations:
            # The variables of the classes it names: .btn's for .btn:disabled.
            local = dict(palette.variables)
            for name in sorted(classes_in(selector)):
                local.update(palette.rules.get(f".{name}", {}))
            value = resolve(declarations["opacity"], local)
            if float(value) < 1:
                faded.append(f"{selector} {{opacity: {value}}}")
    assert faded == []


@pytest.mark.parametrize("control", [".form-control", ".form-select", ".form-check-input"])
def test_form_fields_show_their_edges_at_3_to_1(control):
    """Text boxes, selects, checkboxes and radios have borders that show on every surface."""
    palette = page_palette()
    declarations = palette.rules[control]
    border = declarations.get("border-color") or declarations["border"]
    colour = parse_colour(resolve(border, palette.variables))
    assert colour is not None, f"{control} sets no border colour we can read"
    low = [s for s in palette.surfaces if contrast(colour, s.colour) < NON_TEXT]
    assert low == []


@pytest.mark.parametrize("background", ["#ffffff", "#fbfaf7"])
def test_region_colours_stand_out_as_graphics(background):
    """Each region's colour (chips, body maps) reaches 3:1 on the page."""
    catalogue = tomllib.loads((BASE / "techniques" / "catalogue.toml").read_text())
    page = parse_colour(background)
    for region in catalogue["regions"]:
        assert contrast(parse_colour(region["colour"]), page) >= NON_TEXT, region["slug"]
