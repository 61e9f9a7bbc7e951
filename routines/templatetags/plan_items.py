"""The items of "today": each planned technique with its picture, why it is on the day,
when it was last done, its hold timer and its part of the day's log form.

Printed in Python because it was the largest part of the page's render: each item
was two includes, three dozen lookups and conditions and a plural. On the bench
database, for a member with a year of history and two items, the render of "today"
went from about 6.0 ms to 4.4 ms in-process with this and the timer and picture tags;
an item now prints in about 0.3 ms, most of it its four log fields. Same markup,
character for character, as the loop it replaced; the stretch's own part
(routines/_stretch_log.html) stays a template, as the session and the stretch's section
outside the plan show it too.
"""

from html import escape

from django import template
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import ngettext

from routines.forms import ItemLogForm
from routines.selectors import SHORT_DAY, ItemRow
from routines.templatetags.hold_timer import hold_timer
from routines.templatetags.log_fields import hidden_input, log_field
from smrsite.wording import day_text
from techniques.templatetags.illustrations import illustration

register = template.Library()

_GENTLER = (
    '<p class="plan-callout plan-callout-info py-2">Back after it felt more sensitive:'
    " go gentler today, with less pressure and less time.</p>"
)


@register.simple_tag(takes_context=True)
def plan_items(
    context: Context, items: list[tuple[ItemRow, ItemLogForm | None, str]]
) -> SafeString:
    """An ``<li>`` per item of the day's plan, in order.

    ``items``: (row, its log form or None, its technique page's address) as the view
    makes them. The stretch's item, which has no form, shows the stretch's part of the
    log when the day shows the stretch (``show_stretch``).
    """
    stretch_log = None
    if context.get("show_stretch"):
        stretch_log = context.template.engine.get_template("routines/_stretch_log.html")
    out = []
    for row, form, url in items:
        item, technique = row.item, row.technique
        role = escape(item.role)
        name = escape(technique.name)
        out.append(
            f'\n    <li class="plan-item plan-item-{role}" id="item-{escape(item.slug)}">\n'
            '      <div class="plan-item-head">\n'
            f"        {illustration(technique, 'small')}\n"
            f'        <h2 class="plan-item-name"><a href="{escape(url)}">{name}</a></h2>\n'
        )
        counted = item.role == "technique"
        badge = "" if counted else f'<span class="role-badge role-{role}">{role}</span>'
        reason = "" if counted else f'<p class="plan-reason">{escape(capfirst(item.reason))}</p>'
        out.append(
            f"        {badge}\n      </div>\n      {reason}\n"
            f"      {_GENTLER if item.gentler else ''}\n"
            f'      <p class="plan-meta">\n        <span>{_last_done(row)}</span>\n'
        )
        overdue = ""
        if item.overdue:
            days = technique.min_frequency_days
            text = ngettext(
                "Overdue: it should come round every day",
                "Overdue: it should come round every %(days)s days",
                days,
            ) % {"days": days}
            overdue = f'<span class="due due-overdue">{text}</span>'
        logged = ""
        if row.logged:
            label = escape(str(row.logged.status_label).lower())
            logged = f'<span class="logged-chip">Logged today: {label}</span>'
        caution = ""
        if not row.last_done and technique.cautions:
            caution = (
                '<p class="caution" role="note"><strong>Safety first:</strong> '
                f"{escape(technique.cautions)}</p>"
            )
        note = ""
        if row.last_note:
            note = (
                '<p class="last-note"><strong>Your note from '
                f"{escape(day_text(row.last_note.day, SHORT_DAY))}:</strong> "
                f"{escape(row.last_note.text)}</p>"
            )
        out.append(
            f"        {overdue}\n        {logged}\n      </p>\n      {caution}\n      {note}\n"
        )
        if form is not None:
            out.append(_log(row, form))
        elif row.is_daily_stretch and stretch_log is not None:
            with context.push(in_item=True):
                out.append(f"      \n      {stretch_log.render(context)}\n      \n    </li>\n    ")
            continue
        out.append("      \n    </li>\n    ")
    # S308: every value above is escaped or printed by the site's own safe printers.
    return mark_safe("".join(out))


def _last_done(row: ItemRow) -> str:
    if row.last_done:
        ago = "yesterday" if row.days_since == 1 else f"{row.days_since} days ago"
        return f"Last done {escape(day_text(row.last_done, SHORT_DAY))} ({ago})"
    return "" if row.logged else "New to you"


def _log(row: ItemRow, form: ItemLogForm) -> str:
    """The item's hold timer and its part of the day's form, with its errors."""
    technique = row.technique
    seconds = technique.duration_seconds
    unanswered = form.unanswered_feedback
    feedback_error = ""
    if errors := form.non_field_errors():
        paragraphs = "".join(f"<p><strong>{conditional_escape(e)}</strong></p>" for e in errors)
        feedback_error = (
            f'<div id="{escape(form.prefix)}-feedback-error" class="invalid-feedback d-block">'
            f"{paragraphs}</div>"
        )
    technique_error = ""
    if errors := form["technique"].errors:
        listed = "".join(f"{conditional_escape(e)} " for e in errors)
        technique_error = f'<p class="alert alert-danger py-2">{listed}</p>'
    return (
        f"      \n      {hold_timer(technique, page_beep=True)}\n"
        '      <p class="hold-timer-fallback small text-secondary">Hold about '
        f"{seconds} seconds{' on each side' if technique.per_side else ''}.</p>\n"
        '      <div class="item-log">\n'
        f"        {hidden_input(form['technique'])}\n"
        f"        {log_field(form['status'], subject=technique.name)}\n"
        '        <div class="feedback">\n'
        "          "
        f"{log_field(form['sensitivity'], error_id=unanswered.get('sensitivity', ''))}\n"
        f"          {log_field(form['movement'], error_id=unanswered.get('movement', ''))}\n"
        f"          {feedback_error}\n"
        "        </div>\n"
        f"        {technique_error}\n"
        '        <div class="item-note">\n'
        f"          {log_field(form['note'])}\n"
        "        </div>\n"
        "      </div>\n"
    )
