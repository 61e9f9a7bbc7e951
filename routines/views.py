import logging
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from members.services import chosen_time_zone
from routines import documents, plancache, scheduler, selectors, services
from routines.forms import ItemLogFormSet, NoteForm, RoutineForm, StretchLogForm, day_log_errors
from routines.models import LogEntry, Routine, StretchLog
from smrsite import links
from techniques.models import Technique
from techniques.pdf import RENDER_FAILED_MESSAGE, RENDER_FAILED_TITLE, pdf_error_response

logger = logging.getLogger(__name__)

PLAN_READY = "Your plan is ready. Here is today."
SETTINGS_SAVED = "Your routine is saved."
ALL_DONE = "That is everything for today. See you tomorrow."
NOTHING_LOGGED = (
    "Nothing to save: mark at least one item done or skipped, or enter the stretch minutes."
)
FIX_ERRORS = "Nothing was saved yet: some answers need another look (marked in red below)."
CYCLE_CHANGED = "Done: {choice}. One round of your regions now takes {days}."
NOTE_SAVED = "Note saved. It will show the next time this technique comes up."
PINNED = "{name} is pinned: it will be on your plan every day."
UNPINNED = "{name} is no longer pinned."
FEED_REGENERATED = "Your calendar feed has a new address; the old one no longer works."
OVERRIDE_RANGE = (date(2000, 1, 1), date(2199, 12, 31))
REMINDERS_OFF = "Daily reminders are off. You can switch them on again in your routine settings."


def _pin_links(
    techniques: list[scheduler.TechniqueInfo],
) -> list[tuple[scheduler.TechniqueInfo, str, str]]:
    """Each technique with the addresses of its page and of its pin button's form."""
    page, pin = links.url_maker("techniques:detail"), links.url_maker("routines:pin")
    return [(t, page(t.slug), pin(t.slug)) for t in techniques]


def _date_override_allowed() -> bool:
    return settings.DEBUG or getattr(settings, "ROUTINES_ALLOW_DATE_OVERRIDE", False)


def _date_override(request) -> date | None:
    """The day ``?date=`` asks for, in tests and development; None otherwise."""
    raw = request.GET.get("date", "")
    if not raw or not _date_override_allowed():
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    # Plans look back and ahead by weeks: a day near year 1 or 9999 would overflow.
    return day if OVERRIDE_RANGE[0] <= day <= OVERRIDE_RANGE[1] else None


def _day(request, time_zone: str) -> tuple[date, str]:
    """The day to show (``?date=`` or the date in ``time_zone``) and the query that keeps it."""
    override = _date_override(request)
    if override is not None:
        return override, f"?date={override.isoformat()}"
    return selectors.local_date(time_zone, timezone.now()), ""


def _today(request, routine: Routine) -> tuple[date, str]:
    """The day to show for the member and the query that keeps it."""
    return _day(request, selectors.member_time_zone(routine.member))


def _own_routine(request) -> Routine:
    routine = selectors.routine_for(request.user)
    if routine is None:
        raise Http404("No routine yet.")
    return routine


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def today(request):
    """Today's plan with a form to tick items off; sends newcomers to onboarding."""
    # The menu shows staff links; everything else on the page is the member's plan.
    page = plancache.TodayPage(
        request,
        member_id=request.user.pk,
        parts=(request.user.is_staff, _date_override(request)),
    )
    stored = page.response(day_in=lambda time_zone: _day(request, time_zone)[0])
    if stored is not None:
        return stored
    routine = selectors.routine_for(request.user)
    if routine is None:
        return redirect("routines:start")
    time_zone = selectors.member_time_zone(routine.member)
    day, query = _day(request, time_zone)
    return page.build(
        time_zone=time_zone, day=day, render=partial(_today_page, request, routine, day, query)
    )


def _today_page(
    request, routine, day, query, csrf_token=None, *, formset=None, stretch_form=None, status=200
):
    overview = selectors.today_overview(routine, today=day)
    stretch = overview.stretch
    if formset is None:
        formset = ItemLogFormSet(
            initial=[_initial(row) for row in overview.loggable],
            form_kwargs={"allowed": frozenset(row.item.slug for row in overview.loggable)},
        )
    if stretch_form is None and overview.shows_stretch:
        # A day without the stretch has no stretch fields in its form: none is made.
        stretch_form = _stretch_form(None, overview.data.today_stretch, stretch.suggested_prop)
    item_forms = _pair_forms(overview.rows, formset.forms)
    page = links.url_maker("techniques:detail")
    context = {
        "routine": routine,
        "day": day,
        "query": query,
        "plan": overview.plan,
        "region": overview.region,
        # Each item with its form and the address of its technique's page.
        "items": [(row, form, page(row.technique.slug)) for row, form in item_forms],
        "rows": overview.rows,
        "formset": formset,
        **stretch_context(overview, stretch_form),
        "report": overview.report,
        "choices": overview.choices,
        "advice": selectors.advice_texts(overview.plan, overview.regions_by_slug),
        "empty_message": selectors.empty_plan_message(routine, overview.plan),
        "held_back": overview.held_back,
        "pinnable": _pin_links(overview.pinnable),
        "pinned": _pin_links(overview.pinned),
        "finished": overview.data.today_finished,
        "done_in_round": overview.done_in_round,
        "fix_errors": FIX_ERRORS,
        "log_errors": _log_errors(overview, item_forms, stretch_form),
    }
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return render(request, "routines/routine_today.html", context, status=status)


def _log_errors(overview, item_forms, stretch_form) -> list:
    """The day's form errors for the summary at the top of the page, in page order."""
    items = [
        (row.technique.name, f"item-{row.item.slug}", form) for row, form in item_forms if form
    ]
    name = overview.stretch_technique.name if overview.stretch_technique else "Stretch"
    return day_log_errors(items, (name, stretch_form) if overview.shows_stretch else None)


def stretch_context(overview: selectors.TodayOverview, stretch_form) -> dict:
    """What the stretch's part of the day's log needs, on "today" and in the session."""
    stretch = overview.stretch
    return {
        "stretch_form": stretch_form,
        "stretch": stretch,
        "stretch_technique": overview.stretch_technique,
        "stretch_on_plan": overview.stretch_on_plan,
        "stretch_logged": overview.data.today_stretch,
        "show_stretch": overview.shows_stretch,
        "stretch_props": [
            (prop, label, prop == stretch.suggested_prop) for prop, label in StretchLog.Prop.choices
        ],
        "target_minutes": scheduler.STRETCH_TARGET_MINUTES,
    }


def _stretch_form(data, logged: scheduler.StretchRecord | None, suggested_prop: str):
    # The prop offered is always the one to use next; the rest shows what was logged.
    initial = {"prop": suggested_prop}
    if logged is not None:
        minutes = logged.unbroken_minutes
        # "3", not "3.0": the box shows what the member typed.
        shown = int(minutes) if minutes == int(minutes) else minutes
        initial.update(unbroken_minutes=shown, tension=logged.tension)
    return StretchLogForm(
        data, initial=initial, prefix="stretch", empty_permitted=True, use_required_attribute=False
    )


def _pair_forms(rows, forms) -> list[tuple]:
    # The member's own stretch is logged in minutes; every other item gets the next form.
    remaining = iter(forms)
    return [(row, None if row.is_daily_stretch else next(remaining, None)) for row in rows]


def _initial(row: selectors.ItemRow) -> dict:
    logged = row.logged
    return {
        "technique": row.item.slug,
        "status": logged.status if logged else "",
        "sensitivity": logged.sensitivity if logged else "",
        "movement": logged.movement if logged else "",
        "note": logged.note if logged else "",
    }


@login_required
@require_POST
def log(request):
    """Save the whole day's log in one go (items, feedback, notes, the stretch).

    On a mistake nothing is saved and the page comes back with every answer kept.
    """
    routine = _own_routine(request)
    day, query = _today(request, routine)
    overview = selectors.today_overview(routine, today=day)
    formset, stretch_form = day_log_forms(request.POST, overview)
    if not day_log_valid(formset, stretch_form):
        # The page's error summary says it, with a link to each answer to fix.
        return _today_page(
            request, routine, day, query, formset=formset, stretch_form=stretch_form, status=400
        )
    items, stretch = day_log_entries(overview, formset, stretch_form)
    if not items and stretch is None:
        messages.warning(request, NOTHING_LOGGED)
        return redirect(reverse("routines:today") + query)
    saved = services.day_log_save(
        routine=routine, day=day, items=items, stretch=stretch, before=overview.data
    )
    for text in saved_messages(saved):
        messages.success(request, text)
    return redirect(reverse("routines:today") + query)


def day_log_forms(data, overview: selectors.TodayOverview):
    """The day's one log form bound to ``data``, as "today" and the guided session post it:
    the items' forms and the stretch's (unbound on a day that does not ask for it)."""
    allowed = frozenset(row.item.slug for row in overview.loggable)
    formset = ItemLogFormSet(data, form_kwargs={"allowed": allowed})
    # A day without the stretch has no stretch fields in its form: nothing to read.
    stretch_form = _stretch_form(
        data if overview.shows_stretch else None,
        overview.data.today_stretch,
        overview.stretch.suggested_prop,
    )
    return formset, stretch_form


def day_log_valid(formset, stretch_form) -> bool:
    """Whether every part of the day's log form is valid (all are checked, for the errors)."""
    stretch_valid = not stretch_form.is_bound or stretch_form.is_valid()
    return formset.is_valid() and stretch_valid


def day_log_entries(
    overview: selectors.TodayOverview, formset, stretch_form
) -> tuple[list[services.ItemLog], services.StretchEntry | None]:
    """What a valid day's log form says, as ``services.day_log_save`` takes it: the items
    ticked done or skipped, and the stretch when its minutes were given or changed."""
    techniques = overview.data.techniques
    items = [
        services.ItemLog(
            technique=techniques[form.cleaned_data["technique"]],
            status=form.cleaned_data["status"],
            sensitivity=form.cleaned_data["sensitivity"],
            movement=form.cleaned_data["movement"],
            note=form.cleaned_data["note"],
        )
        for form in formset.forms
        if form.cleaned_data.get("status")
    ]
    stretch = None
    if (
        stretch_form.is_bound
        and stretch_form.has_changed()
        and stretch_form.cleaned_data.get("unbroken_minutes") is not None
    ):
        stretch = services.StretchEntry(**stretch_form.cleaned_data)
    return items, stretch


def day_log_error_texts(overview: selectors.TodayOverview, formset, stretch_form) -> list[str]:
    """The errors of the day's log form, in page order, each naming its item."""
    # A broken management form (not sent by our pages) leaves the formset without forms.
    broken = [str(error) for error in formset.non_form_errors()]
    item_forms = _pair_forms(overview.rows, formset.forms)
    return broken + [error.text for error in _log_errors(overview, item_forms, stretch_form)]


def saved_messages(saved: services.DaySaved) -> list[str]:
    """What the member is told after saving a day's log, from "today" or the session."""
    parts = []
    if saved.items:
        parts.append(ngettext("%(n)d item", "%(n)d items", saved.items) % {"n": saved.items})
    if saved.stretch:
        parts.append("the stretch")
    said = ["Saved: " + " and ".join(parts) + ".", *saved.changes]
    if saved.finished:
        said.append(ALL_DONE)
    return said


@login_required
@require_POST
def cycle_choice(request):
    """Apply one of the cycle warning's choices with one click."""
    routine = _own_routine(request)
    day, query = _today(request, routine)
    try:
        choice = services.cycle_choice_apply(
            routine=routine, key=request.POST.get("choice", ""), today=day
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        days = ngettext("%(n)d day", "%(n)d days", choice.cycle_days) % {"n": choice.cycle_days}
        text = selectors.choice_text(choice, {r.slug: r for r in selectors.region_list()})
        messages.success(request, CYCLE_CHANGED.format(choice=text.lower(), days=days))
    return redirect(reverse("routines:today") + query)


@login_required
@require_POST
def pin(request, slug):
    """Pin a technique daily, or unpin it (``action=unpin``)."""
    routine = _own_routine(request)
    technique = get_object_or_404(Technique.objects.published().releases(), slug=slug)
    if request.POST.get("action") == "unpin":
        services.technique_unpin(routine=routine, technique=technique)
        messages.success(request, UNPINNED.format(name=technique.name))
    else:
        services.technique_pin(routine=routine, technique=technique)
        messages.success(request, PINNED.format(name=technique.name))
    _, query = _today(request, routine)
    return redirect(reverse("routines:today") + query)


def _routine_form(request, routine: Routine | None):
    regions = list(selectors.region_list())
    defaults = selectors.default_region_slugs(regions)
    kwargs = {"regions": regions, "default_regions": defaults}
    if routine is not None:
        by_tools = services.excluded_for_tools(tools=routine.tools.all())
        kwargs["initial"] = RoutineForm.initial_for(
            routine, regions=regions, excluded_by_tools=by_tools
        )
        kwargs["with_left_out"] = True
    else:
        kwargs["initial"] = {
            "tools": list(selectors.tool_list()),
            "time_zone": chosen_time_zone(request.user),
        }
    return RoutineForm(request.POST or None, **kwargs)


def _routine_settings(data: dict) -> dict:
    """The settings onboarding and the settings page both hand to the services."""
    return {
        "regions": data["ordered_regions"],
        "tools": data["tools"],
        "per_day": data["per_day"],
        "tension": data["tension"],
        "time_zone": data["time_zone"],
        "reminders_on": data["reminders_on"],
        "reminder_time": data["reminder_time"],
    }


@login_required
def start(request):
    """Onboarding: one form with sensible defaults gives a plan straight away."""
    if selectors.routine_for(request.user) is not None:
        return redirect("routines:settings")
    form = _routine_form(request, None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.routine_create(
            member=request.user,
            start_date=timezone.now().astimezone(ZoneInfo(data["time_zone"])).date(),
            **_routine_settings(data),
        )
        messages.success(request, PLAN_READY)
        return redirect("routines:today")
    return render(request, "routines/routine_start.html", {"form": form})


@login_required
def edit(request):
    """Change regions, tools, pace, tension and reminders; see the feed and PDF links."""
    routine = _own_routine(request)
    form = _routine_form(request, routine)
    if request.method == "POST" and form.is_valid():
        services.routine_update(
            routine=routine,
            left_out=form.cleaned_data["left_out"],
            today=_today(request, routine)[0],
            **_routine_settings(form.cleaned_data),
        )
        messages.success(request, SETTINGS_SAVED)
        return redirect("routines:today")
    feed_url = request.build_absolute_uri(
        reverse("routines:feed", kwargs={"token": routine.feed_token})
    )
    report, choices = selectors.cycle_for(routine, today=_today(request, routine)[0])
    context = {
        "form": form,
        "routine": routine,
        "report": report,
        "choices": choices,
        "query": "",
        "feed_url": feed_url,
        # Calendar apps subscribe to webcal:// links rather than download the file once.
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return render(request, "routines/routine_settings.html", context)


@login_required
@require_POST
def feed_regenerate(request):
    """Give the calendar feed a new secret address."""
    routine = _own_routine(request)
    services.feed_token_regenerate(routine=routine)
    messages.success(request, FEED_REGENERATED)
    return redirect(reverse("routines:settings") + "#calendar")


@login_required
def upcoming(request):
    """The next 14 days, each planned as if the days before are done as planned."""
    routine = _own_routine(request)
    day, query = _today(request, routine)
    data = selectors.routine_data(routine, today=day)
    plans = selectors.plan_upcoming(data)
    by_slug = {r.slug: r for r in data.regions}
    days = [
        (
            plan,
            by_slug.get(plan.region or ""),
            selectors.item_rows(data, plan),
            selectors.held_back_rows(data, plan),
        )
        for plan in plans
    ]
    report = plans[0].cycle
    choices = selectors.cycle_choices(report, by_slug)
    context = {
        "days": days,
        "report": report,
        "choices": choices,
        "query": query,
    }
    return render(request, "routines/routine_upcoming.html", context)


@login_required
def history(request):
    """Streak, recent log and per-technique charts of sensitivity and movement."""
    routine = _own_routine(request)
    day, query = _today(request, routine)
    context = selectors.member_history(routine, today=day)
    context.update({"day": day, "query": query})
    return render(request, "routines/routine_history.html", context)


@login_required
def note(request, pk):
    """Add or change the note of one of the member's logged items."""
    try:
        entry = selectors.member_log_entry(request.user, pk)
    except LogEntry.DoesNotExist:
        raise Http404("No such log entry.") from None
    form = NoteForm(request.POST or None, initial={"note": entry.note})
    if request.method == "POST" and form.is_valid():
        services.note_update(entry=entry, note=form.cleaned_data["note"])
        messages.success(request, NOTE_SAVED)
        return redirect("routines:history")
    return render(request, "routines/logentry_note.html", {"form": form, "entry": entry})


@login_required
def plan_pdf(request):
    """The next 14 days as a printable PDF attachment."""
    routine = _own_routine(request)
    day, _ = _today(request, routine)
    data = selectors.routine_data(routine, today=day)
    try:
        content = documents.plan_pdf(
            data, selectors.plan_upcoming(data), site_url=_site_url(request)
        )
    except Exception:
        logger.exception("Plan PDF render failed for member %s", request.user.pk)
        return pdf_error_response(
            request, status=503, title=RENDER_FAILED_TITLE, message=RENDER_FAILED_MESSAGE
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="smr-plan-{day.isoformat()}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def feed(request, token):
    """The member's coming days as an iCalendar feed behind a secret, revocable token."""
    routine = selectors.routine_by_feed_token(token)
    if routine is None:
        raise Http404("No such feed.")
    day = selectors.local_today(routine, timezone.now())
    data = selectors.routine_data(routine, today=day)
    content = documents.plan_calendar(
        data, selectors.plan_upcoming(data), site_url=_site_url(request), stamp=timezone.now()
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# The token in the URL is the member's authority here, not a session: mail clients
# send the one-click unsubscribe POST (RFC 8058) without any cookie or CSRF token.
@csrf_exempt
def reminders_off(request, token):
    """Switch the daily reminders off from the email, without signing in."""
    routine = services.routine_from_stop_token(token)
    if routine is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        services.reminders_switch_off(routine=routine)
        return render(
            request, "routines/reminders_off.html", {"done": True, "message": REMINDERS_OFF}
        )
    return render(request, "routines/reminders_off.html", {"done": False, "routine": routine})
