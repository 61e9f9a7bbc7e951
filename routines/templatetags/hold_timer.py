"""The hold (or stillness) timer of a technique, wherever one is shown.

Printed in Python because "today" shows one per plan item: as an included template
(a dozen lookups and conditions, and a plural) it took about 0.2 ms an item, measured
in-process on the bench database; printed, a few microseconds. Same markup, character
for character, as the template it replaced; static/js/timer.js reads it.
"""

from html import escape

from django import template
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from techniques.models import Technique

register = template.Library()

# The stretch's timer fills in this field of the day's log (routines/_stretch_log.html).
MINUTES_FIELD = "id_stretch-unbroken_minutes"

_OWN_BEEP = {
    "stretch": '<label class="hold-timer-option"><input type="checkbox"'
    ' class="form-check-input" data-part="beep" checked> Beep at the target</label>',
    True: '<label class="hold-timer-option"><input type="checkbox" class="form-check-input"'
    ' data-part="beep" checked> Beep to switch sides</label>',
    False: '<label class="hold-timer-option"><input type="checkbox" class="form-check-input"'
    ' data-part="beep" checked> Beep at the end</label>',
}


@register.simple_tag
def hold_timer(
    technique: Technique, *, page_beep: bool = False, standalone: bool = False
) -> SafeString:
    """A timer for ``technique``: a stillness timer with a target in minutes, else a hold.

    ``standalone=True`` also links the timer's CSS and script (technique pages), which
    "today" and the session load once for the page; ``page_beep=True`` leaves out the
    timer's own beep box for the page's one (``data-timer-beep``, on "today"). The timer
    starts hidden: without JavaScript only the written time beside it shows.
    """
    timer = _timer(technique, page_beep=page_beep)
    if not standalone:
        return mark_safe(f"\n{timer}\n")
    # S308: static() gives addresses of the project's own files.
    return mark_safe(
        f'<link rel="stylesheet" href="{escape(static("css/routines.css"))}">\n{timer}'
        f'<script src="{escape(static("js/timer.js"))}" defer></script>\n'
    )


def _timer(technique: Technique, *, page_beep: bool) -> str:
    name = escape(technique.name)
    minutes = technique.target_minutes
    if minutes:
        beep = "" if page_beep else _OWN_BEEP["stretch"]
        target = ngettext(
            "Target: %(n)s unbroken minute", "Target: %(n)s unbroken minutes", minutes
        ) % {"n": minutes}
        # The name is escaped, the numbers are the model's integers.
        return (
            f'\n<div class="hold-timer" data-hold-timer="stretch" data-target-minutes="{minutes}"'
            f' data-minutes-field="{MINUTES_FIELD}" role="group"'
            f' aria-label="Stillness timer for {name}" hidden>\n'
            '  <p class="hold-timer-title">Stillness timer</p>\n'
            '  <p class="hold-timer-clock" role="timer" aria-label="Time lying still"'
            ' data-part="clock">0:00</p>\n'
            f'  <p class="hold-timer-side" data-part="side">{target}</p>\n'
            f"{_controls('Start lying still', beep)}"
        )
    seconds = technique.duration_seconds
    per_side = technique.per_side
    beep = "" if page_beep else _OWN_BEEP[per_side]
    return (
        f'\n<div class="hold-timer" data-hold-timer="hold" data-seconds="{seconds}"'
        f' data-per-side="{"true" if per_side else "false"}" role="group"'
        f' aria-label="Hold timer for {name}" hidden>\n'
        f'  <p class="hold-timer-title">Hold timer: {seconds} seconds'
        f"{' a side' if per_side else ''}</p>\n"
        '  <p class="hold-timer-clock" role="timer" aria-label="Time left"'
        f' data-part="clock">{seconds} s</p>\n'
        f'  <p class="hold-timer-side" data-part="side">'
        f"{'Side 1 of 2' if per_side else 'Hold'}</p>\n"
        f"{_controls('Start', beep)}"
    )


def _controls(start: str, beep: str) -> str:
    """The timer's buttons, its own beep box (or none) and its announcements; its end."""
    return (
        '  <div class="hold-timer-buttons">\n'
        f'    <button type="button" class="btn btn-accent" data-part="start">{start}</button>\n'
        '    <button type="button" class="btn btn-outline-secondary" data-part="reset">'
        "Reset</button>\n"
        "  </div>\n"
        f"  {beep}\n"
        '  <p class="visually-hidden" aria-live="polite" data-part="announce"></p>\n'
        "</div>\n"
    )
