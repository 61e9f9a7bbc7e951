"""What the accessibility tests check on a page, in real Chromium.

- axe-core (from npm, never a CDN) with the WCAG 2.2 AA rules: every violation, of any
  impact, is a problem;
- headings: exactly one h1 and no skipped level (axe counts heading order as a best
  practice, outside the WCAG tags);
- a Tab walk through the page: every stop shows the site's focus ring (2 px or more,
  3:1 or more against the background around it) and, on a phone, is a target of at
  least 24 × 24 px, unless it is a link inside a sentence (WCAG 2.5.8's exception).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests.colours import contrast, parse_colour

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FOCUS_RING_MIN_PX = 2
FOCUS_RING_CONTRAST = 3.0
TARGET_MIN_PX = 24

HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]')]
  .filter((h) => h.checkVisibility() && !h.closest('[aria-hidden=true]'))
  .map((h) => [Number(h.getAttribute('aria-level') || h.tagName[1]), h.textContent.trim()])"""

# One Tab stop: what has focus, the ring it draws, what is under the ring, its size.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  let under = 'rgba(0, 0, 0, 0)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') { under = bg; break; }
  }
  if (under === 'rgba(0, 0, 0, 0)') under = 'rgb(255, 255, 255)';
  const box = el.getBoundingClientRect();
  const block = el.parentElement.closest('p, li, dd, td, th, div, section, label');
  let inSentence = false;
  if (el.tagName === 'A' && style.display === 'inline' && block) {
    const copy = block.cloneNode(true);
    copy.querySelectorAll('a, button, input, select, textarea').forEach((c) => c.remove());
    inSentence = copy.textContent.trim().length > 0;
  }
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 60);
  return {
    id: el.id, tag: el.tagName.toLowerCase(), name,
    focusVisible: el.matches(':focus-visible'),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor, under,
    width: box.width, height: box.height, inSentence,
    key: el.outerHTML.slice(0, 200),
  };
}"""


# On a page that came back with errors: each error shown once, tied to its field, and
# focus on the error summary or else the first error (static/js/site.js), so a screen
# reader announces it once.
ERRORS_JS = """() => {
  const problems = [];
  const selector = '.invalid-feedback, .errorlist, .alert-danger, .alert-warning, [role=alert]';
  const shown = [...document.querySelectorAll(selector)]
    .filter((el) => el.checkVisibility() && !el.parentElement.closest(selector));
  if (!shown.length) problems.push('no error is shown');
  // The same message twice: in two alerts, or in an alert and under its field.
  const lines = (box) => box.innerText.split('\\n').map((s) => s.trim()).filter(Boolean);
  const alerts = shown.filter((box) => !box.matches('.invalid-feedback'));
  const fieldErrors = shown.filter((box) => box.matches('.invalid-feedback'));
  const underFields = new Set(fieldErrors.flatMap(lines));
  const counts = {};
  for (const line of alerts.flatMap(lines)) counts[line] = (counts[line] || 0) + 1;
  for (const [line, count] of Object.entries(counts)) {
    if (count > 1 || underFields.has(line)) {
      problems.push(`“${line}” is shown ${count + (underFields.has(line) ? 1 : 0)} times`);
    }
  }
  const describedBy = (el) => (el.getAttribute('aria-describedby') || '').split(/\\s+/)
    .map((id) => document.getElementById(id)).filter(Boolean);
  for (const field of document.querySelectorAll('.is-invalid, [aria-invalid=true]')) {
    const name = field.name || field.id;
    if (field.getAttribute('aria-invalid') !== 'true') problems.push(`${name}: not aria-invalid`);
    if (!describedBy(field).some((d) => d.matches('.invalid-feedback, .errorlist'))) {
      problems.push(`${name}: its error is not in its aria-describedby`);
    }
  }
  for (const error of document.querySelectorAll('.invalid-feedback')) {
    if (error.checkVisibility() && !document.querySelector(`[aria-describedby~="${error.id}"]`)) {
      problems.push(`“${error.innerText.trim()}” belongs to no field`);
    }
  }
  const first = document.querySelector('[data-error-summary]')
    || document.querySelector('form [aria-invalid=true]')
    || document.querySelector('form [role=alert]');
  if (first && document.activeElement !== first) problems.push('focus is not on the first error');
  return problems;
}"""


def error_problems(page) -> list[str]:
    """On a page with form errors: each shown once, tied to its field, focus on the first."""
    return page.evaluate(ERRORS_JS)


SETTLED_JS = """() => Promise.all(document.getAnimations()
  .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
  .map((a) => a.finished.catch(() => null)))"""


def axe_violations(page) -> list[dict]:
    """Every violation of the WCAG 2.2 AA rules axe-core finds on the page as it is."""
    # The page at rest: the pointer off its controls (the last click may have left it
    # over a button of the next screen) and no colour caught halfway through a hover
    # transition, which axe would measure as it stands.
    page.mouse.move(0, 0)
    page.evaluate(SETTLED_JS)
    # Evaluated through the DevTools protocol, so the page's strict Content-Security-Policy
    # does not block it (add_script_tag would add an inline script).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return result["violations"]


# A name on an element with no role (a plain div, span or p) is not read out: axe only
# lists it as "needs review", so it is checked here.
UNNAMEABLE_JS = """() => [...document.querySelectorAll(
    'div[aria-label], span[aria-label], p[aria-label], div[aria-labelledby], span[aria-labelledby]'
  )].filter((el) => !el.getAttribute('role') && el.checkVisibility())
  .map((el) => el.outerHTML.slice(0, 120))"""


def unread_name_problems(page) -> list[str]:
    """aria-label or aria-labelledby on a div, span or p without a role."""
    return [f"a name nothing reads, on {html}" for html in page.evaluate(UNNAMEABLE_JS)]


def heading_problems(page) -> list[str]:
    """No h1, more than one, or a level skipped (h1 → h3), in reading order."""
    headings = page.evaluate(HEADINGS_JS)
    problems = []
    if [level for level, _ in headings].count(1) != 1:
        problems.append(f"{[level for level, _ in headings].count(1)} h1 headings")
    previous = 0
    for level, text in headings:
        if level > previous + 1:
            problems.append(f"h{level} “{text[:50]}” follows h{previous}")
        previous = level
    return problems


@dataclass(frozen=True)
class Stop:
    """One place the Tab key stops."""

    tag: str
    name: str
    focus_visible: bool
    outline_style: str
    outline_width: float
    outline_colour: str
    under: str
    width: float
    height: float
    in_sentence: bool

    def __str__(self) -> str:
        return f"<{self.tag}> “{self.name}”"


def tab_stops(page, *, limit: int = 200) -> list[Stop]:
    """Press Tab from the top of the page until focus leaves it or comes round again."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    stops, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUS_JS)
        if found is None or found["key"] in seen:
            break
        seen.add(found["key"])
        stops.append(
            Stop(
                tag=found["tag"],
                name=found["name"],
                focus_visible=found["focusVisible"],
                outline_style=found["outlineStyle"],
                outline_width=found["outlineWidth"],
                outline_colour=found["outlineColor"],
                under=found["under"],
                width=found["width"],
                height=found["height"],
                in_sentence=found["inSentence"],
            )
        )
    return stops


def focus_problems(stops: list[Stop], *, phone: bool) -> list[str]:
    """Stops without a visible ring, with a faint one, or too small to tap on a phone."""
    problems = []
    for stop in stops:
        ring = parse_colour(stop.outline_colour)
        under = parse_colour(stop.under)
        if not stop.focus_visible or stop.outline_style in ("none", "hidden"):
            problems.append(f"{stop}: no focus ring")
        elif stop.outline_width < FOCUS_RING_MIN_PX:
            problems.append(f"{stop}: focus ring {stop.outline_width}px wide")
        elif ring is None or under is None or contrast(ring, under) < FOCUS_RING_CONTRAST:
            problems.append(f"{stop}: focus ring {stop.outline_colour} on {stop.under}")
        if phone and not stop.in_sentence and min(stop.width, stop.height) < TARGET_MIN_PX:
            problems.append(f"{stop}: {stop.width:.0f} × {stop.height:.0f} px target")
    return problems


def page_problems(page, *, phone: bool, errors: bool = False) -> list[str]:
    """Everything the checks above find on the page as it stands, one line each.

    ``errors``: the page came back from a form with errors, which are checked too.
    """
    problems = error_problems(page) if errors else []
    problems += [
        f"axe {v['id']} ({v['impact']}): {v['help']}: {node['html'][:160]}"
        for v in axe_violations(page)
        for node in v["nodes"][:3]
    ]
    problems += heading_problems(page)
    problems += unread_name_problems(page)
    problems += focus_problems(tab_stops(page), phone=phone)
    return problems


def report(problems: dict[str, list[str]]) -> str:
    """Problems by page, for the assertion message and the log."""
    return json.dumps({page: found for page, found in problems.items() if found}, indent=1)
