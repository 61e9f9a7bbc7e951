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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from members.services import chosen_time_zone
from routines import documents, plancache, scheduler, selectors, services
from routines.forms import ItemLogFormSet, NoteForm, RoutineForm, StretchLogForm
from routines.models import LogEntry, Routine, StretchLog
from smrsite import wording
from techniques.models import Technique
from techniques.pdf import RENDER_FAILED_MESSAGE, RENDER_FAILED_TITLE, pdf_error_response

logger = logging.getLogger(__name__)

PLAN_READY = "Your plan is ready. Here is today."
SETTINGS_SAVED = "Your routine is saved."
LOGGED = "Saved: {count} item{s} ticked off for today."
ALL_DONE = "That is everything for today. See you tomorrow."
NOTHING_LOGGED = "Nothing to save: tick at least one item as done or skipped."
STRETCH_SAVED = "Stretch saved: {minutes} on the {prop}."
NOTE_SAVED = "Note saved. It will show the next time this technique comes up."
PINNED = "{name} is pinned: it will be on your plan every day."
UNPINNED = "{name} is no longer pinned."
FEED_REGENERATED = "Your calendar feed has a new address; the old one no longer works."
OVERRIDE_RANGE = (date(2000, 1, 1), date(2199, 12, 31))
REMINDERS_OFF = "Daily reminders are off. You can switch them on again in your routine settings."


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
    if formset is None:
        formset = ItemLogFormSet(
            initial=[_initial(row) for row in overview.loggable],
            form_kwargs={"allowed": frozenset(row.item.slug for row in overview.loggable)},
        )
    stretch = overview.stretch
    if stretch_form is None:
        stretch_form = StretchLogForm(
            initial=_stretch_initial(overview.data.today_stretch, stretch.suggested_prop),
            prefix="stretch",
        )
    context = {
        "routine": routine,
        "day": day,
        "query": query,
        "plan": overview.plan,
        "region": overview.region,
        "item_forms": _pair_forms(overview.rows, formset.forms),
        "rows": overview.rows,
        "formset": formset,
        "stretch_form": stretch_form,
        "stretch": stretch,
        "stretch_technique": overview.stretch_technique,
        "stretch_on_plan": any(row.is_daily_stretch for row in overview.rows),
        "stretch_props": [
            (prop, label, prop == stretch.suggested_prop) for prop, label in StretchLog.Prop.choices
        ],
        "report": overview.report,
        "held_back": overview.held_back,
        "pinnable": overview.pinnable,
        "pinned": overview.pinned,
        "session": overview.data.today_session,
        "target_minutes": scheduler.STRETCH_TARGET_MINUTES,
    }
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return render(request, "routines/routine_today.html", context, status=status)


def _pair_forms(rows, forms) -> list[tuple]:
    # The daily stretch has its own log form; every other item gets the next item form.
    remaining = iter(forms)
    return [(row, None if row.is_daily_stretch else next(remaining, None)) for row in rows]


def _stretch_initial(logged: scheduler.StretchRecord | None, suggested_prop: str) -> dict:
    # The prop offered is always the one to use next; the rest shows what was logged.
    if logged is None:
        return {"prop": suggested_prop}
    return {
        "prop": suggested_prop,
        "unbroken_minutes": logged.unbroken_minutes,
        "tension": logged.tension,
    }


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
    """Record the ticked items of today's plan, then show the plan again (post-redirect-get)."""
    routine = _own_routine(request)
    day, query = _today(request, routine)
    data = selectors.routine_data(routine, today=day)
    plan = selectors.plan_for_today(data)
    allowed = frozenset(i.slug for i in plan.items if i.slug != scheduler.DEFAULT_STRETCH_SLUG)
    formset = ItemLogFormSet(request.POST, form_kwargs={"allowed": allowed})
    if not formset.is_valid():
        messages.error(request, "Some items need another look; see the notes in red.")
        return _today_page(request, routine, day, query, formset=formset, status=400)
    items = [
        services.ItemLog(
            technique=data.techniques[form.cleaned_data["technique"]],
            status=form.cleaned_data["status"],
            sensitivity=form.cleaned_data["sensitivity"],
            movement=form.cleaned_data["movement"],
            note=form.cleaned_data["note"],
        )
        for form in formset.forms
        if form.cleaned_data.get("status")
    ]
    if not items:
        messages.warning(request, NOTHING_LOGGED)
        return redirect(reverse("routines:today") + query)
    services.log_items(
        member=request.user,
        routine=routine,
        day=day,
        step_index=plan.step_index,
        rotation_slugs=[i.slug for i in plan.items if i.counts_for_rotation],
        items=items,
    )
    messages.success(request, LOGGED.format(count=len(items), s="" if len(items) == 1 else "s"))
    logged = set(data.today_logs) | {item.technique.slug for item in items}
    if allowed <= logged:
        messages.success(request, ALL_DONE)
    return redirect(reverse("routines:today") + query)


@login_required
@require_POST
def stretch_log(request):
    """Record today's Supported Corpse Stretch."""
    routine = _own_routine(request)
    day, query = _today(request, routine)
    form = StretchLogForm(request.POST, prefix="stretch")
    if not form.is_valid():
        messages.error(request, "The stretch log needs another look.")
        return _today_page(request, routine, day, query, stretch_form=form, status=400)
    log = services.stretch_log_record(member=request.user, day=day, **form.cleaned_data)
    messages.success(
        request,
        STRETCH_SAVED.format(
            minutes=wording.minutes(log.unbroken_minutes), prop=log.get_prop_display().lower()
        ),
    )
    return redirect(reverse("routines:today") + query + "#stretch")


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
            **_routine_settings(form.cleaned_data),
        )
        messages.success(request, SETTINGS_SAVED)
        return redirect("routines:today")
    feed_url = request.build_absolute_uri(
        reverse("routines:feed", kwargs={"token": routine.feed_token})
    )
    context = {
        "form": form,
        "routine": routine,
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
    days = [
        (plan, selectors.item_rows(data, plan), selectors.held_back_rows(data, plan))
        for plan in selectors.plan_upcoming(data)
    ]
    report = scheduler.cycle_report(data.catalogue, data.settings)
    return render(
        request,
        "routines/routine_upcoming.html",
        {"days": days, "report": report, "query": query, "regions": data.regions},
    )


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
