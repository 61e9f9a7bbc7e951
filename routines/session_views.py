"""The guided session: today's items one at a time on a phone, then the day's log.

The page works offline once opened (``static/js/sw.js`` keeps it); a log saved
offline is queued on the phone and sent later with a key, and
``routines.submissions`` saves each key once.
"""

import hashlib
import json
import secrets
from functools import cache, partial
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from routines import selectors, services, session, submissions
from routines.forms import ItemLogFormSet
from routines.models import LogEntry
from routines.views import (
    NOTHING_LOGGED,
    _initial,
    _own_routine,
    _pair_forms,
    _stretch_form,
    _today,
    day_log_entries,
    day_log_error_texts,
    day_log_forms,
    day_log_valid,
    saved_messages,
    stretch_context,
)
from techniques.models import Technique

REPLAYED_HEADER = "Idempotent-Replayed"
SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"
# What the installed app and the offline session need besides the page itself.
OFFLINE_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "css/site.css",
    "css/routines.css",
    "js/site.js",
    "js/timer.js",
    "js/daylog.js",
    "js/log-queue.js",
    "js/session.js",
    "img/favicon.svg",
    "img/app-icon.svg",
    "img/app-icon-192.png",
    "img/app-icon-512.png",
)


def _session_techniques(slugs: list[str]) -> dict[str, Technique]:
    """The day's techniques with their steps and tools, for the step-by-step screens."""
    found = (
        Technique.objects.filter(slug__in=slugs)
        .select_related("region")
        .prefetch_related("steps", "tools")
    )
    return {technique.slug: technique for technique in found}


@login_required
@never_cache
def session_page(request):
    """Today's items one screen at a time, with the hold timer, then the day's log."""
    routine = selectors.routine_for(request.user)
    if routine is None:
        return redirect("routines:start")
    day, query = _today(request, routine)
    overview = selectors.today_overview(routine, today=day)
    # The same form as "today": the session posts the same fields to its own address.
    formset = ItemLogFormSet(
        initial=[_initial(row) for row in overview.loggable],
        form_kwargs={"allowed": frozenset(row.item.slug for row in overview.loggable)},
    )
    stretch = overview.stretch
    full = _session_techniques([row.item.slug for row in overview.rows])
    steps = [
        (row, full[row.item.slug], form)
        for row, form in _pair_forms(overview.rows, formset.forms)
        if row.item.slug in full
    ]
    context = {
        "day": day,
        "query": query,
        "plan": overview.plan,
        "region": overview.region,
        "steps": steps,
        "formset": formset,
        **stretch_context(
            overview,
            _stretch_form(None, overview.data.today_stretch, stretch.suggested_prop),
        ),
        "finished": overview.data.today_finished,
        # Sent with the form when JavaScript is off; the script makes one per log it queues.
        "key": secrets.token_urlsafe(24),
    }
    return render(request, "routines/session.html", context)


def _refuse(request, errors: list[str], *, wants_json: bool, query: str, status: int = 400):
    if wants_json:
        return JsonResponse({"errors": errors}, status=status)
    for error in errors:
        messages.error(request, error)
    return redirect(reverse("routines:session") + query)


def _answer(request, submitted: submissions.Submitted, *, wants_json: bool, query: str):
    if wants_json:
        response = JsonResponse(submitted.answer)
        response[REPLAYED_HEADER] = "true" if submitted.replayed else "false"
        return response
    for text in submitted.answer["messages"]:
        messages.success(request, text)
    return redirect(reverse("routines:today") + query)


def _save_day_log(*, routine, day, items, stretch, before) -> dict:
    """Save the day's log through the same service as "today"; the answer for the device.

    The one place the session writes the log; ``routines.submissions`` calls it once per key.
    ``before``: the routine's data the form was checked against.
    """
    saved = services.day_log_save(
        routine=routine, day=day, items=items, stretch=stretch, before=before
    )
    return {
        "day": day.isoformat(),
        "saved": [item.technique.slug for item in items],
        "done": sum(1 for item in items if item.status == LogEntry.Status.DONE),
        "stretch_minutes": str(stretch.unbroken_minutes) if stretch else None,
        "finished": saved.finished,
        "messages": saved_messages(saved),
    }


@login_required
@require_POST
def session_log(request):
    """Save the day's log from the session, once per key; JSON for the script, else a redirect."""
    routine = _own_routine(request)
    today, query = _today(request, routine)
    wants_json = "application/json" in request.headers.get("Accept", "")
    refuse = partial(_refuse, request, wants_json=wants_json, query=query)
    member = request.POST.get("member", "")
    if member and member != str(request.user.pk):
        # Made on a shared phone by someone else: it waits there until they sign in.
        return refuse([session.OTHER_MEMBER_ERROR], status=409)
    key = session.valid_key(request.POST.get("key", ""))
    if key is None:
        return refuse([session.BAD_KEY_ERROR])
    earlier = submissions.log_submission_find(member=request.user, key=key)
    if earlier is not None:
        return _answer(request, earlier, wants_json=wants_json, query=query)
    day = session.log_day(request.POST.get("day", ""), today=today)
    if day is None:
        return refuse([session.BAD_DAY_ERROR])
    # The day's one form, read as "today" reads it, for the day the log was made.
    overview = selectors.today_overview(routine, today=day)
    formset, stretch_form = day_log_forms(request.POST, overview)
    if not day_log_valid(formset, stretch_form):
        return refuse(day_log_error_texts(overview, formset, stretch_form))
    items, stretch = day_log_entries(overview, formset, stretch_form)
    if not items and stretch is None:
        return refuse([NOTHING_LOGGED])
    save = partial(
        _save_day_log,
        routine=routine,
        day=day,
        items=items,
        stretch=stretch,
        before=overview.data,
    )
    submitted = submissions.log_submission_once(member=request.user, key=key, day=day, save=save)
    return _answer(request, submitted, wants_json=wants_json, query=query)


@cache
def _service_worker_source(asset_urls: tuple[str, ...], paths: tuple[tuple[str, str], ...]) -> str:
    # The list and the version travel in the script itself: any change to either gives
    # the browser a new service worker, which replaces the caches of the old one.
    head = f"const ASSETS = {json.dumps(list(asset_urls))};\n" + "".join(
        f"const {name} = {json.dumps(path)};\n" for name, path in paths
    )
    body = SERVICE_WORKER.read_text(encoding="utf-8")
    version = hashlib.sha256((head + body).encode()).hexdigest()[:12]
    return f'{head}const VERSION = "{version}";\n{body}'


@require_GET
def service_worker(request):
    """The session's service worker, from the site's root so it may look after every page."""
    source = _service_worker_source(
        tuple(static(path) for path in OFFLINE_ASSETS),
        (
            ("QUEUE", static("js/log-queue.js")),
            ("PAGE", reverse("routines:session")),
            ("LOGOUT", reverse("account_logout")),
            ("MEDIA", settings.MEDIA_URL),
        ),
    )
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; never let a cache answer for it.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The web app manifest: "SMR Coach" opens on the guided session, with our own icons."""
    icons = [
        {"src": static("img/app-icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/app-icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("img/app-icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("img/app-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "name": f"{settings.SITE_NAME}: today's session",
        "short_name": settings.SITE_NAME,
        "description": "Your daily self-myofascial release plan, one technique at a time.",
        "id": reverse("routines:session"),
        "start_url": reverse("routines:session"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1d5c63",
        "icons": icons,
    }
    return JsonResponse(body, content_type="application/manifest+json")
