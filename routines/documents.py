"""A member's plan as files: the printable 14-day PDF and the iCalendar feed."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from routines import selectors
from routines.models import Routine
from routines.scheduler import DayPlan
from smrsite.wording import day_text
from techniques.models import Technique
from techniques.pdf import html_to_pdf

EVENT_MINUTES = 20
UID_DOMAIN = "smrcoach.invalid"


@dataclass(frozen=True)
class PrintedItem:
    """One line of the printed plan, with the technique's cautions.

    ``shown_on`` is None where the technique first appears (its cautions are printed in
    full there), else the day they were printed.
    """

    row: selectors.ItemRow
    cautions: str
    shown_on: date | None


def _printed_days(
    data: selectors.RoutineData, days: list[DayPlan]
) -> list[tuple[DayPlan, list[PrintedItem], list]]:
    slugs = {item.slug for plan in days for item in plan.items}
    with_cautions = Technique.objects.filter(slug__in=slugs).exclude(cautions="")
    cautions = dict(with_cautions.values_list("slug", "cautions"))
    first_day: dict[str, date] = {}
    printed = []
    for plan in days:
        items = []
        for row in selectors.item_rows(data, plan):
            slug = row.item.slug
            items.append(
                PrintedItem(row=row, cautions=cautions.get(slug, ""), shown_on=first_day.get(slug))
            )
            first_day.setdefault(slug, plan.day)
        printed.append((plan, items, selectors.held_back_rows(data, plan)))
    return printed


def plan_pdf(data: selectors.RoutineData, days: list[DayPlan], *, site_url: str) -> bytes:
    """The coming days as a printable A4 PDF: one block per day, items in order.

    Each technique carries its cautions in full the first time it appears, and a
    pointer to that day afterwards; each day leaves ruled lines for notes.
    """
    context = {
        "days": _printed_days(data, days),
        "member": data.routine.member,
        "today": data.today,
        "site_name": settings.SITE_NAME,
        "site_url": site_url.rstrip("/"),
    }
    # Rendered fresh each time: a member's plan is private and changes every day, so
    # it is not stored the way the public handouts are.
    return html_to_pdf(render_to_string("routines/plan_pdf.html", context))


def event_uid(routine: Routine, day: date) -> str:
    """A UID stable per member and day, so calendars update an event rather than add one."""
    return f"smr-plan-{routine.member_id}-{day.isoformat()}@{UID_DOMAIN}"


def plan_calendar(
    data: selectors.RoutineData, days: list[DayPlan], *, site_url: str, stamp: datetime
) -> bytes:
    """The coming days as an iCalendar feed, one event a day at the member's reminder time."""
    zone = ZoneInfo(selectors.member_time_zone(data.routine.member))
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Daily plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.SITE_NAME} plan")
    today_url = site_url.rstrip("/") + data.routine.get_absolute_url()
    for plan in days:
        rows = selectors.item_rows(data, plan)
        start = datetime.combine(plan.day, data.routine.reminder_time, tzinfo=zone)
        event = Event()
        event.add("uid", event_uid(data.routine, plan.day))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        region = plan.region.title() if plan.region else "Rest"
        items = ngettext("%(count)d item", "%(count)d items", len(rows)) % {"count": len(rows)}
        event.add("summary", f"SMR: {region} ({items})")
        lines = [
            f"{n}. {row.technique.name}"
            + ("" if row.item.counted else f" ({row.item.role}: {row.item.reason})")
            for n, row in enumerate(rows, 1)
        ]
        for technique, held in selectors.held_back_rows(data, plan):
            back = f", back on {day_text(held.until, 'j M')}" if held.until else ""
            lines.append(f"Held back: {technique.name}, {held.reason}{back}.")
        event.add("description", "\n".join([*lines, "", today_url]))
        event.add("url", today_url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
