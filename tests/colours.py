"""Colours as WCAG 2.2 measures them, and the colours our pages' stylesheets declare.

``contrast`` is WCAG's contrast ratio. ``read_palette`` reads stylesheets with tinycss2
(the CSS parser WeasyPrint uses), resolves custom properties the way the browser does
(``var(--name, fallback)``, Bootstrap's ``--bs-*-rgb`` triplets; a later rule with the
same selector wins), and sorts every colour it finds into:

- texts: a rule sets a text colour and no background, so the text sits on whatever
  surface is under it;
- surfaces: a rule sets a background and no text colour, so any text may sit on it
  (the page's own background is always one);
- pairs: a rule sets both (a badge, a button, an alert); its text sits on its own
  background. Bootstrap's component variables pair by name: ``--bs-btn-hover-color``
  with ``--bs-btn-hover-bg``;
- focus rings: outline colours of rules that style ``:focus`` or ``:focus-visible``.

Used by ``tests/test_contrast.py`` and by the browser tests, which check the colours
Chromium computes.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tinycss2

Rgb = tuple[int, int, int]

NAMED: dict[str, Rgb | None] = {"white": (255, 255, 255), "black": (0, 0, 0), "transparent": None}
VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*((?:[^()]|\([^()]*\))*))?\)")
COMPONENT = re.compile(r"^--bs-(?P<part>[\w-]+?)-(?P<role>color|bg)$")
BORDER = re.compile(r"border(-\w+)?-color$")
# Where custom properties for the whole page are declared (Bootstrap: its light theme).
ROOTS = (":root", "html", "[data-bs-theme=light]")
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def relative_luminance(rgb: Rgb) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    """WCAG 2.2's contrast ratio of two opaque colours, from 1 to 21."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_of(rgb: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def parse_colour(text: str) -> Rgb | None:
    """The opaque colour in a CSS value (``#fff``, ``rgb()``, ``rgba(…, 1)``, a name).

    None for anything else: translucent colours (their colour depends on what is under
    them), images and gradients, ``currentcolor``, ``inherit``.
    """
    for token in tinycss2.parse_component_value_list(text, skip_comments=True):
        if token.type == "hash":
            digits = token.value
            if len(digits) in (3, 4):
                digits = "".join(d * 2 for d in digits)
            if len(digits) not in (6, 8) or digits[6:].lower() not in ("", "ff"):
                return None
            return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
        if token.type == "ident" and token.lower_value in NAMED:
            return NAMED[token.lower_value]
        if token.type == "function":
            if token.lower_name not in ("rgb", "rgba"):
                return None  # a gradient or an image is not a solid surface
            numbers = [t.value for t in token.arguments if t.type in ("number", "percentage")]
            alpha = 1.0
            if len(numbers) == 4:
                last = token.arguments[-1]
                alpha = numbers[3] / 100 if last.type == "percentage" else numbers[3]
            if len(numbers) < 3 or alpha < 1:
                return None
            return tuple(round(n) for n in numbers[:3])
    return None


@dataclass(frozen=True)
class Declared:
    """A colour and where it was declared: ``site.css .badge-staff {color}``."""

    colour: Rgb
    where: str

    def __str__(self) -> str:
        return f"{hex_of(self.colour)} ({self.where})"


@dataclass
class Palette:
    texts: list[Declared] = field(default_factory=list)
    surfaces: list[Declared] = field(default_factory=list)
    pairs: list[tuple[Declared, Declared]] = field(default_factory=list)
    focus_rings: list[Declared] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)


def _declarations(block) -> dict[str, str]:
    found = {}
    for item in tinycss2.parse_declaration_list(block, skip_whitespace=True, skip_comments=True):
        if item.type == "declaration":
            name = item.name if item.name.startswith("--") else item.lower_name
            value = tinycss2.serialize(item.value).strip()
            found[name] = value + (" !important" if item.important else "")
    return found


def read_rules(path: Path) -> list[tuple[str, dict[str, str], str]]:
    """(selector, declarations, file name) for every selector of every style rule,
    including rules inside @media and @supports blocks."""
    found = []

    def walk(nodes):
        for node in nodes:
            if node.type == "qualified-rule":
                declarations = _declarations(node.content)
                for selector in tinycss2.serialize(node.prelude).split(","):
                    found.append((" ".join(selector.split()), declarations, path.name))
            elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports"):
                walk(tinycss2.parse_rule_list(node.content or [], skip_whitespace=True))

    walk(tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_whitespace=True))
    return found


def resolve(value: str, variables: dict[str, str], depth: int = 0) -> str:
    """``value`` with each ``var()`` replaced by its value, else its fallback."""

    def substitute(match: re.Match) -> str:
        name, fallback = match.group(1), match.group(2)
        if name in variables and depth < 10:
            return resolve(variables[name], variables, depth + 1)
        return fallback if fallback is not None else "unset"

    return VAR.sub(substitute, value.replace("!important", "").strip())


def read_palette(
    paths: Iterable[Path],
    *,
    keep=lambda selector: True,
    page: str = "body",
    textless: frozenset[str] = frozenset(),
) -> Palette:
    """The colours the stylesheets at ``paths`` (in the order a page loads them) declare.

    ``keep(selector)`` chooses the rules that can apply to our pages (a framework's
    rules for classes we never use cannot). ``page`` is the selector whose background
    is the page's. Backgrounds of elements with a class in ``textless`` (checkboxes,
    radios) are not surfaces: no text sits on them.
    """
    merged: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    variables: dict[str, str] = {}
    for path in paths:
        for selector, declarations, source in read_rules(path):
            if selector in ROOTS:
                variables.update({k: v for k, v in declarations.items() if k.startswith("--")})
            elif keep(selector):
                merged.setdefault(selector, {}).update(declarations)
                sources[selector] = source

    found = Palette(variables=variables, rules=merged)
    for selector, declarations in merged.items():
        local = {**variables, **{k: v for k, v in declarations.items() if k.startswith("--")}}
        where = f"{sources[selector]} {selector}"
        groups: dict[str, dict[str, Declared]] = {}
        for name, value in declarations.items():
            if name == "color":
                part, role = "", "text"
            elif name in ("background", "background-color"):
                part, role = "", "surface"
            elif (match := COMPONENT.match(name)) and not BORDER.search(name):
                part, role = match["part"], "text" if match["role"] == "color" else "surface"
            elif name in ("outline", "outline-color") and ":focus" in selector:
                if colour := parse_colour(resolve(value, local)):
                    found.focus_rings.append(Declared(colour, f"{where} {{{name}}}"))
                continue
            else:
                continue
            text = resolve(value, local)
            if re.fullmatch(r"\s*\d+\s*,\s*\d+\s*,\s*\d+\s*", text):
                text = f"rgb({text})"
            if colour := parse_colour(text):
                groups.setdefault(part, {})[role] = Declared(colour, f"{where} {{{name}}}")
        for part, group in groups.items():
            text, surface = group.get("text"), group.get("surface")
            # --bs-alert-link-color sits on --bs-alert-bg: the nearest enclosing part's.
            while text and not surface and "-" in part:
                part = part.rsplit("-", 1)[0]
                surface = groups.get(part, {}).get("surface")
            if text and surface:
                found.pairs.append((text, surface))
                if selector == page:
                    found.surfaces.append(surface)
            elif text:
                found.texts.append(text)
            elif surface and not classes_in(selector.split()[-1]) & textless:
                found.surfaces.append(surface)
    return found


def classes_in(selector: str) -> set[str]:
    return set(CLASS.findall(selector))
