import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from pypdf import PdfReader

from members.services import profile_for, profile_update
from routines.models import DailySession, LogEntry, Routine, RoutinePass, StretchLog
from routines.services import CHOICE_GONE_ERROR
from techniques.models import Region, Technique, Tool
from tests.factories import LogEntryFactory, RoutineFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
TODAY = "/routine/?date=2026-03-02"


def _at(day: date) -> str:
    return f"?date={day.isoformat()}"


def _item_slugs(response) -> list[str]:
    return re.findall(
        r'<li class="plan-item [^"]*" id="item-([a-z0-9-]+)"', response.content.decode()
    )


def _log_post(items: dict[str, dict]) -> dict:
    data = {"form-TOTAL_FORMS": str(len(items)), "form-INITIAL_FORMS": str(len(items))}
    for n, (slug, values) in enumerate(items.items()):
        data[f"form-{n}-technique"] = slug
        for key, value in values.items():
            data[f"form-{n}-{key}"] = value
    return data


DONE_WELL = {"status": "done", "sensitivity": "less", "movement": "better"}
OVERUSE = {"status": "done", "sensitivity": "more", "movement": "same"}
HIP_SLUGS = (
    "glute-ball-roll",
    "side-hip-ball-press",
    "piriformis-ball-press",
    "tfl-ball-press",
    "front-hip-roll",
    "psoas-press",
)


def _pass_began(routine, region: str, since: date) -> None:
    """Record that the member's pass of ``region`` began on ``since``."""
    RoutinePass.objects.create(routine=routine, region=Region.objects.get(slug=region), since=since)


def _done(user, day: date, *slugs: str) -> None:
    for slug in slugs:
        LogEntryFactory(member=user, technique=Technique.objects.get(slug=slug), day=day)


def _counted(response) -> list[str]:
    """The slugs of the day's counted techniques (not lead-ins, pins or stretches)."""
    return list(response.context["plan"].counted)


def _text(response) -> str:
    """The page's main content as plain text, whitespace collapsed."""
    page = response.content.decode().split("<main", 1)[1]
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" ,", ",").replace(" :", ":")


# --- Onboarding -----------------------------------------------------------------------


def test_a_member_without_a_routine_is_sent_to_onboarding(auth_client, catalogue):
    """/routine/ redirects a newcomer to the onboarding form."""
    response = auth_client.get("/routine/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/routine/start/"


def test_onboarding_defaults_to_the_five_core_regions_and_two_a_day(auth_client, catalogue):
    """The onboarding form starts with hip to arms ticked and 2 a day chosen."""
    response = auth_client.get("/routine/start/")
    form = response.context["form"]
    ticked = [r.slug for r in form.regions if form[f"region_{r.slug}"].initial]
    assert ticked == ["hip", "thigh", "calves", "shoulder", "arms"]
    assert form["per_day"].initial == 2


def _onboarding_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, ""):
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    return data


def test_one_submit_of_the_defaults_gives_a_plan(auth_client, user, catalogue):
    """Submitting the onboarding form unchanged creates the routine and shows today's plan."""
    form = auth_client.get("/routine/start/").context["form"]
    response = auth_client.post("/routine/start/", _onboarding_data(form), follow=True)
    assert response.redirect_chain[-1][0] == "/routine/"
    routine = Routine.objects.get(member=user)
    assert routine.per_day == 2
    assert list(routine.region_links.values_list("region__slug", flat=True)) == [
        "hip",
        "thigh",
        "calves",
        "shoulder",
        "arms",
    ]
    assert "Your plan is ready" in response.content.decode()
    assert _item_slugs(response) == ["glute-ball-roll", "side-hip-ball-press"]


def test_onboarding_orders_regions_by_the_numbers_given(auth_client, user, catalogue):
    """Order numbers decide the rotation order; unticked regions are left out."""
    form = auth_client.get("/routine/start/").context["form"]
    data = _onboarding_data(form)
    data.update({"order_calves": 1, "order_hip": 2, "per_day": 3, "tension": "on"})
    for slug in ("thigh", "shoulder", "arms"):
        data.pop(f"region_{slug}")
    auth_client.post("/routine/start/", data)
    routine = Routine.objects.get(member=user)
    assert list(routine.region_links.values_list("region__slug", flat=True)) == ["calves", "hip"]
    assert routine.per_day == 3
    assert routine.tension


def test_onboarding_without_a_region_shows_the_error(auth_client, user, catalogue):
    """Unticking every region re-renders the form with an error and creates nothing."""
    form = auth_client.get("/routine/start/").context["form"]
    data = {k: v for k, v in _onboarding_data(form).items() if not k.startswith("region_")}
    response = auth_client.post("/routine/start/", data)
    assert response.status_code == HTTPStatus.OK
    assert "Choose at least one region." in response.content.decode()
    assert not Routine.objects.filter(member=user).exists()


# --- Today -------------------------------------------------------------------------------


def test_today_puts_the_quads_roll_lead_in_before_the_psoas_press(auth_client, user, routine):
    """On hip day 3 the Quads Roll comes first as a lead-in, the paired stretch last."""
    _pass_began(routine, "hip", DAY - timedelta(days=2))
    _done(user, DAY - timedelta(days=2), "glute-ball-roll", "side-hip-ball-press")
    _done(user, DAY - timedelta(days=1), "piriformis-ball-press", "tfl-ball-press")
    response = auth_client.get(TODAY)
    assert _item_slugs(response) == [
        "front-hip-roll",
        "quads-roll",
        "psoas-press",
        "supported-corpse-stretch",
    ]
    assert _counted(response) == ["front-hip-roll", "psoas-press"]
    page = response.content.decode()
    assert "Do before Psoas Press" in page
    assert "/techniques/psoas-press/pdf/" in page
    assert 'href="/techniques/psoas-press/"' in page


def test_a_missed_day_does_not_pile_up(auth_client, user, routine):
    """After days away, today is the next unfinished step: two techniques, no catch-up."""
    _pass_began(routine, "hip", DAY - timedelta(days=5))
    _done(user, DAY - timedelta(days=5), "glute-ball-roll", "side-hip-ball-press")
    response = auth_client.get(TODAY)
    assert _counted(response) == ["piriformis-ball-press", "tfl-ball-press"]
    assert _item_slugs(response) == [
        "glute-ball-roll",
        "piriformis-ball-press",
        "tfl-ball-press",
    ]
    assert "Overdue" not in response.content.decode()


def test_after_a_month_away_today_marks_what_is_overdue(auth_client, user, routine):
    """Back after 30 days: the same next step, with the lead-in last done 30 days ago overdue."""
    _pass_began(routine, "hip", DAY - timedelta(days=30))
    _done(user, DAY - timedelta(days=30), "glute-ball-roll", "side-hip-ball-press")
    response = auth_client.get(TODAY)
    assert _counted(response) == ["piriformis-ball-press", "tfl-ball-press"]
    text = _text(response)
    assert "Last done 31 Jan (30 days ago)" in text
    assert text.count("Overdue: it should come round every 14 days") == 1


def test_today_writes_hostile_names_cautions_and_notes_as_text(auth_client, user, routine):
    """What staff or the member typed is escaped in each item: name, cautions and note."""
    hostile = "Glute <script>alert(\"x\")</script> & 'roll'"
    Technique.objects.filter(slug="piriformis-ball-press").update(
        name=hostile, cautions=f"Mind the <b>{hostile}</b>"
    )
    _pass_began(routine, "hip", DAY - timedelta(days=30))
    _done(user, DAY - timedelta(days=30), "glute-ball-roll", "side-hip-ball-press")
    LogEntry.objects.filter(technique__slug="glute-ball-roll").update(note=f"<i>{hostile}</i>")
    page = auth_client.get(TODAY).content.decode()
    escaped = "Glute &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;roll&#x27;"
    assert "<script>alert" not in page
    assert f'/techniques/piriformis-ball-press/">{escaped}</a></h2>' in page
    assert f'aria-label="Hold timer for {escaped}"' in page
    assert f'data-subject="{escaped}"' in page
    assert f"<strong>Safety first:</strong> Mind the &lt;b&gt;{escaped}&lt;/b&gt;</p>" in page
    assert f"<strong>Your note from 31 Jan:</strong> &lt;i&gt;{escaped}&lt;/i&gt;</p>" in page


def test_an_item_due_every_day_says_so_in_the_singular(auth_client, user, routine):
    """The overdue warning is a plural: one day reads "every day", not "every 1 days"."""
    Technique.objects.filter(slug="glute-ball-roll").update(min_frequency_days=1)
    _pass_began(routine, "hip", DAY - timedelta(days=30))
    _done(user, DAY - timedelta(days=30), "glute-ball-roll", "side-hip-ball-press")
    text = _text(auth_client.get(TODAY))
    assert text.count("Overdue: it should come round every day") == 1
    assert text.count("Overdue:") == 1


def test_unpublishing_mid_pass_keeps_the_place_and_the_history(auth_client, user, routine):
    """A logged and an unlogged hip technique unpublished: the pass goes on, the log stays."""
    _pass_began(routine, "hip", DAY - timedelta(days=1))
    _done(user, DAY - timedelta(days=1), "glute-ball-roll", "side-hip-ball-press")
    Technique.objects.filter(slug__in=["side-hip-ball-press", "piriformis-ball-press"]).update(
        is_published=False
    )
    today = auth_client.get(TODAY)
    assert today.context["plan"].region == "hip"
    assert _counted(today) == ["tfl-ball-press", "front-hip-roll", "psoas-press"]
    assert "1 of 4 hip techniques done in this round" in _text(today)
    history = auth_client.get("/routine/history/" + _at(DAY)).content.decode()
    assert "Side Hip Ball Press" in history
    assert LogEntry.objects.filter(member=user).count() == 2


def test_date_override_is_ignored_unless_allowed(auth_client, routine, settings):
    """Without the setting (and DEBUG off) ?date= does not change the day shown."""
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = False
    settings.DEBUG = False
    response = auth_client.get("/routine/?date=1999-01-01")
    assert response.context["day"] != date(1999, 1, 1)


def test_logging_today_saves_entries_and_redirects(auth_client, user, routine):
    """Ticking both items off stores them, finishes the day and says so."""
    post = _log_post({"glute-ball-roll": DONE_WELL, "side-hip-ball-press": {"status": "skipped"}})
    response = auth_client.post("/routine/log/" + _at(DAY), post, follow=True)
    assert response.redirect_chain[0][0] == TODAY
    assert LogEntry.objects.filter(member=user, day=DAY).count() == 2
    assert DailySession.objects.get(routine=routine, day=DAY).finished
    page = response.content.decode()
    assert "Saved: 2 items." in page
    assert "That is everything for today" in page


def test_half_a_day_is_saved_and_not_finished(auth_client, user, routine):
    """One of two items logged: saved, the day stays open, and tomorrow starts with the other."""
    response = auth_client.post(
        "/routine/log/" + _at(DAY), _log_post({"glute-ball-roll": DONE_WELL}), follow=True
    )
    page = response.content.decode()
    assert "Saved: 1 item." in page
    assert "That is everything for today" not in page
    assert not DailySession.objects.get(routine=routine, day=DAY).finished
    tomorrow = auth_client.get("/routine/" + _at(DAY + timedelta(days=1)))
    assert _counted(tomorrow)[0] == "side-hip-ball-press"


def test_a_double_submit_keeps_one_entry_updated(auth_client, user, routine):
    """The same POST sent twice leaves one entry per technique, not two."""
    post = _log_post({"glute-ball-roll": {**DONE_WELL, "note": "tender"}})
    auth_client.post("/routine/log/" + _at(DAY), post)
    post["form-0-sensitivity"] = "same"
    auth_client.post("/routine/log/" + _at(DAY), post)
    entries = LogEntry.objects.filter(member=user, technique__slug="glute-ball-roll", day=DAY)
    assert entries.count() == 1
    assert entries.get().sensitivity == "same"


def test_done_without_feedback_re_renders_with_input_kept(auth_client, user, routine):
    """A technique marked done without sensitivity and movement shows an error, keeps the note."""
    post = _log_post({"glute-ball-roll": {"status": "done", "note": "keep me"}})
    response = auth_client.post("/routine/log/" + _at(DAY), post)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "Say how the area responded" in page
    assert "keep me" in page
    assert not LogEntry.objects.filter(member=user).exists()


def test_a_technique_not_on_the_plan_cannot_be_logged(auth_client, user, routine):
    """Posting a slug that is not on today's plan is refused."""
    response = auth_client.post("/routine/log/" + _at(DAY), _log_post({"lat-roll": DONE_WELL}))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not LogEntry.objects.filter(member=user).exists()


def test_logged_items_show_on_today_and_the_next_day_moves_on(auth_client, routine):
    """After finishing today, tomorrow shows the next step with 'last done'."""
    auth_client.post(
        "/routine/log/" + _at(DAY),
        _log_post({"glute-ball-roll": DONE_WELL, "side-hip-ball-press": DONE_WELL}),
    )
    tomorrow = auth_client.get("/routine/" + _at(DAY + timedelta(days=1)))
    assert _item_slugs(tomorrow) == ["glute-ball-roll", "piriformis-ball-press", "tfl-ball-press"]
    assert _counted(tomorrow) == ["piriformis-ball-press", "tfl-ball-press"]
    assert "Last done 2 Mar (yesterday)" in tomorrow.content.decode()


def test_a_logged_item_shows_its_state_once(auth_client, routine):
    """After saving, each item says "Logged today: done" once and never "Not done yet"."""
    auth_client.post(
        "/routine/log/" + _at(DAY),
        _log_post({"glute-ball-roll": DONE_WELL, "side-hip-ball-press": {"status": "skipped"}}),
    )
    page = auth_client.get(TODAY).content.decode()
    glute = page.split('id="item-glute-ball-roll"', 1)[1].split("</li>\n", 1)[0]
    side_hip = page.split('id="item-side-hip-ball-press"', 1)[1].split("</li>\n", 1)[0]
    assert glute.count("Logged today") == 1
    assert "Logged today: done" in glute
    assert side_hip.count("Logged today") == 1
    assert "Logged today: skipped" in side_hip
    assert "Not done yet" not in page
    assert "all done today" in page


@pytest.mark.parametrize(
    ("skipped", "logs"),
    [
        (("piriformis-ball-press", "tfl-ball-press"), "first"),
        (("tfl-ball-press",), "all"),
    ],
)
def test_logging_part_of_today_keeps_its_plan_when_the_log_ran_ahead_of_the_place(
    auth_client, user, routine, skipped, logs
):
    """A routine whose place was never recorded, its hip pass logged (partly skipped) and
    thigh work after it, 60 days ago: logging today's items keeps today's plan, with
    each logged item and its note on it, and a finished day shows what was done."""
    routine.start_date = DAY - timedelta(days=60)
    routine.save()
    back = {slug: 58 - n // 2 for n, slug in enumerate(HIP_SLUGS)}
    for slug, days_ago in back.items():
        status = "skipped" if slug in skipped else "done"
        LogEntryFactory(
            member=user,
            technique=Technique.objects.get(slug=slug),
            day=DAY - timedelta(days=days_ago),
            status=status,
            sensitivity="less" if status == "done" else "",
            movement="better" if status == "done" else "",
        )
    _done(user, DAY - timedelta(days=45), "quads-roll", "outer-thigh-roll")
    before = auth_client.get(TODAY)
    counted = _counted(before)
    chosen = counted[:1] if logs == "first" else counted
    post = _log_post({slug: {**DONE_WELL, "note": f"note on {slug}"} for slug in chosen})
    auth_client.post("/routine/log/" + _at(DAY), post)
    after = auth_client.get(TODAY)
    assert after.context["plan"].region == before.context["plan"].region
    assert _counted(after) == counted
    assert _item_slugs(after) == _item_slugs(before)
    page = after.content.decode()
    for slug in chosen:
        item = page.split(f'id="item-{slug}"', 1)[1].split("</li>\n", 1)[0]
        assert "Logged today: done" in item
        assert f"note on {slug}" in item
    finished = logs == "all"
    assert DailySession.objects.get(routine=routine, day=DAY).finished is finished
    assert ("all done today" in page) is finished


def test_the_round_counts_what_was_logged_today(auth_client, routine):
    """Before saving the hip round is 0 of 6 done; after logging two it says 2 of 6."""
    assert "0 of 6 hip techniques done in this round" in _text(auth_client.get(TODAY))
    auth_client.post(
        "/routine/log/" + _at(DAY),
        _log_post({"glute-ball-roll": DONE_WELL, "side-hip-ball-press": {"status": "skipped"}}),
    )
    text = _text(auth_client.get(TODAY))
    assert "2 of 6 hip techniques done in this round" in text
    assert "all done today" in text


def test_ticks_and_the_stretch_are_saved_in_one_submit(auth_client, user, routine):
    """Items ticked off and the stretch minutes entered go in together; nothing is lost."""
    routine.tension = True
    routine.save()
    post = {
        **_log_post({"glute-ball-roll": DONE_WELL, "side-hip-ball-press": DONE_WELL}),
        "stretch-prop": "book",
        "stretch-unbroken_minutes": "2.5",
        "stretch-tension": "on",
    }
    response = auth_client.post("/routine/log/" + _at(DAY), post, follow=True)
    assert "Saved: 2 items and the stretch." in response.content.decode()
    assert LogEntry.objects.filter(member=user, day=DAY, status="done").count() == 2
    stretch = StretchLog.objects.get(member=user, day=DAY)
    assert (stretch.prop, str(stretch.unbroken_minutes), stretch.tension) == ("book", "2.5", True)
    page = auth_client.get(TODAY).content.decode()
    assert page.count("Logged today: done") == 2
    assert "Logged today: 2.5 minutes" in page


def test_the_stretch_minutes_box_shows_whole_minutes_as_typed(auth_client, user, routine):
    """3 minutes saved come back as "3" in the box, not "3.0"."""
    routine.tension = True
    routine.save()
    post = {**_log_post({}), "stretch-prop": "book", "stretch-unbroken_minutes": "3"}
    auth_client.post("/routine/log/" + _at(DAY), post)
    page = auth_client.get(TODAY).content.decode()
    assert 'name="stretch-unbroken_minutes" value="3"' in page


def test_a_day_without_the_stretch_saves_its_ticks(auth_client, user, routine):
    """Hip day 1 shows no stretch fields; its ticks alone are saved, not refused."""
    response = auth_client.post(
        "/routine/log/" + _at(DAY), _log_post({"glute-ball-roll": DONE_WELL}), follow=True
    )
    assert "Saved: 1 item." in response.content.decode()
    assert LogEntry.objects.filter(member=user, day=DAY).count() == 1


def test_empty_stretch_minutes_log_no_stretch(auth_client, user, routine):
    """With the minutes left empty the ticks are saved and no stretch, even if the prop changed."""
    routine.tension = True
    routine.save()
    post = {
        **_log_post({"glute-ball-roll": DONE_WELL}),
        "stretch-prop": "yoga-block",
        "stretch-unbroken_minutes": "",
    }
    response = auth_client.post("/routine/log/" + _at(DAY), post, follow=True)
    assert response.redirect_chain
    assert "Saved: 1 item." in response.content.decode()
    assert LogEntry.objects.filter(member=user, day=DAY).count() == 1
    assert not StretchLog.objects.filter(member=user).exists()


def test_a_mistake_saves_nothing_and_keeps_every_answer(auth_client, user, routine):
    """An invalid item answer re-renders the page with the notes and stretch minutes kept."""
    routine.tension = True
    routine.save()
    post = {
        **_log_post(
            {
                "glute-ball-roll": {**DONE_WELL, "note": "left side tender"},
                "side-hip-ball-press": {"status": "done", "note": "forgot to say how"},
            }
        ),
        "stretch-prop": "yoga-block",
        "stretch-unbroken_minutes": "4.5",
        "stretch-tension": "on",
    }
    response = auth_client.post("/routine/log/" + _at(DAY), post)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "Nothing was saved yet" in page
    assert "Say how the area responded" in page
    assert "left side tender" in page
    assert "forgot to say how" in page
    assert 'name="stretch-unbroken_minutes" value="4.5"' in page
    assert re.search(r'<option value="yoga-block" selected>', page)
    assert re.search(r'name="stretch-tension"[^>]* checked', page)
    assert re.search(r'name="form-0-sensitivity" value="less"[^>]* checked', page)
    assert not LogEntry.objects.filter(member=user).exists()
    assert not StretchLog.objects.filter(member=user).exists()
    assert not DailySession.objects.filter(routine=routine).exists()


def test_overuse_holds_a_technique_back_and_says_why(auth_client, user, routine):
    """Overuse reported yesterday holds the technique back today, with the reason and return."""
    LogEntryFactory(
        member=user,
        technique=Technique.objects.get(slug="glute-ball-roll"),
        day=DAY - timedelta(days=1),
        sensitivity="more",
        movement="same",
    )
    response = auth_client.get(TODAY)
    assert "glute-ball-roll" not in _item_slugs(response)
    held = response.context["plan"].held_back
    assert [h.slug for h in held][:1] == ["glute-ball-roll"]
    text = _text(response)
    assert "Held back today" in text
    back = held[0].until.strftime("%A %-d %B")
    assert (
        "Glute Ball Roll: it felt more sensitive and moved no better "
        f"(you said so on Sunday 1 March). Back on {back}, gently."
    ) in text


def test_repeated_overuse_in_a_region_suggests_a_professional(auth_client, user, routine):
    """Overuse in the hip on two different days within 28 days shows the professional advice."""
    for slug, days_ago in (("glute-ball-roll", 10), ("tfl-ball-press", 3)):
        LogEntryFactory(
            member=user,
            technique=Technique.objects.get(slug=slug),
            day=DAY - timedelta(days=days_ago),
            sensitivity="more",
            movement="worse",
        )
    text = _text(auth_client.get(TODAY))
    assert "See a professional." in text
    assert (
        "Your Hip region felt more sensitive and moved no better on 2 different days in the "
        "last 28 days. Consider seeing a professional, such as a physiotherapist or massage "
        "therapist"
    ) in text


def test_overuse_of_two_techniques_on_one_day_counts_once(auth_client, user, routine):
    """Two hip techniques reported on the same day are one day: no advice yet."""
    for slug in ("glute-ball-roll", "tfl-ball-press"):
        LogEntryFactory(
            member=user,
            technique=Technique.objects.get(slug=slug),
            day=DAY - timedelta(days=3),
            sensitivity="more",
            movement="worse",
        )
    response = auth_client.get(TODAY)
    assert response.context["advice"] == []
    assert "See a professional" not in response.content.decode()


def test_the_last_note_shows_when_the_technique_comes_up_again(auth_client, user, routine):
    """A note written last time is shown next to the technique."""
    LogEntryFactory(
        member=user,
        technique=Technique.objects.get(slug="glute-ball-roll"),
        day=DAY - timedelta(days=3),
        note="Go gently on the left side",
    )
    page = auth_client.get(TODAY).content.decode()
    assert "Go gently on the left side" in page


def test_a_technique_that_keeps_improving_can_be_pinned(auth_client, user, routine):
    """After two good sessions a technique is offered for pinning and then shows every day."""
    technique = Technique.objects.get(slug="calf-roll")
    for days_ago in (20, 6):
        LogEntryFactory(member=user, technique=technique, day=DAY - timedelta(days=days_ago))
    assert "Pin daily" in auth_client.get(TODAY).content.decode()
    auth_client.post("/routine/pin/calf-roll/" + _at(DAY))
    assert "calf-roll" in _item_slugs(auth_client.get(TODAY))
    auth_client.post("/routine/pin/calf-roll/" + _at(DAY), {"action": "unpin"})
    assert not routine.pinned_techniques.exists()


def test_the_stretch_goes_daily_then_assessment_then_daily(auth_client, user, routine):
    """Tension makes it daily, 5 still minutes on the roller a 14-day check, tension daily again."""
    routine.tension = True
    routine.save()
    page = auth_client.get(TODAY)
    assert "supported-corpse-stretch" in _item_slugs(page)
    assert "Daily until hip and lower-back tension is gone" in page.content.decode()

    auth_client.post(
        "/routine/log/" + _at(DAY),
        {**_log_post({}), "stretch-prop": "roller-6in", "stretch-unbroken_minutes": "5"},
    )
    nextday = auth_client.get("/routine/" + _at(DAY + timedelta(days=1)))
    assert "supported-corpse-stretch" not in _item_slugs(nextday)
    assert "A check every 14 days" in nextday.content.decode()
    assert "Next check: Monday 16 March." in _text(nextday)

    check_day = DAY + timedelta(days=14)
    check = auth_client.get("/routine/" + _at(check_day))
    assert "supported-corpse-stretch" in _item_slugs(check)
    assert "14-day check" in check.content.decode()
    auth_client.post(
        "/routine/log/" + _at(check_day),
        {
            **_log_post({}),
            "stretch-prop": "roller-6in",
            "stretch-unbroken_minutes": "3",
            "stretch-tension": "on",
        },
    )
    after = auth_client.get("/routine/" + _at(check_day + timedelta(days=1)))
    assert "supported-corpse-stretch" in _item_slugs(after)
    assert "Daily until hip and lower-back tension is gone" in after.content.decode()
    assert StretchLog.objects.filter(member=user).count() == 2


def test_stretch_shows_the_prop_to_use_next(auth_client, user, routine):
    """Five calm minutes on a book move the suggested prop up to the yoga block."""
    routine.tension = True
    routine.save()
    StretchLog.objects.create(
        member=user, day=DAY - timedelta(days=1), prop="book", unbroken_minutes=5, tension=False
    )
    page = auth_client.get(TODAY).content.decode()
    assert '<li aria-current="step">Yoga block (use this next)</li>' in page


def _today_queries(client) -> int:
    """The queries of one GET of today's page with a cold cache (nothing kept from before)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(TODAY)
    assert response.status_code == HTTPStatus.OK
    return len(captured.captured_queries)


def _a_year_before(user, routine, techniques: list[Technique]) -> None:
    """A log a day for the year before yesterday, with notes, sessions, passes and stretches."""
    regions = list(Region.objects.filter(slug__in=["hip", "thigh", "calves", "shoulder", "arms"]))
    for days_ago in range(2, 366):
        day = DAY - timedelta(days=days_ago)
        LogEntryFactory(
            member=user,
            technique=techniques[days_ago % len(techniques)],
            day=day,
            note=f"note {days_ago}",
        )
        DailySession.objects.create(
            routine=routine, day=day, region=regions[days_ago // 3 % 5], finished=True
        )
        if days_ago % 3 == 0:
            RoutinePass.objects.create(
                routine=routine, region=regions[days_ago // 3 % 5], since=day
            )
        StretchLog.objects.create(
            member=user, day=day, prop="book", unbroken_minutes=2, tension=days_ago % 7 == 0
        )


def test_today_query_count_is_constant(auth_client, user, routine):
    """One day of history or a year of it, with passes, notes and stretches, costs the same."""
    techniques = list(Technique.objects.filter(region__slug="thigh"))
    LogEntryFactory(member=user, technique=techniques[0], day=DAY - timedelta(days=1))
    one_day = _today_queries(auth_client)
    _a_year_before(user, routine, techniques)
    assert _today_queries(auth_client) == one_day


def _save_queries(client) -> list[str]:
    """The SQL of a save of the day's log (its techniques done, the stretch) made again.

    The first save may record the region passes the log began, depending on the history;
    the second has nothing to record whatever the history, and writes the same rows.
    """
    slugs = [slug for slug in _item_slugs(client.get(TODAY)) if slug != "supported-corpse-stretch"]
    post = {
        **_log_post(dict.fromkeys(slugs, DONE_WELL)),
        "stretch-prop": "book",
        "stretch-unbroken_minutes": "3",
        "stretch-tension": "on",
    }
    client.post("/routine/log/" + _at(DAY), post)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/routine/log/" + _at(DAY), post)
    assert response.status_code == HTTPStatus.FOUND
    assert LogEntry.objects.filter(day=DAY).count() == len(slugs) == 2
    assert StretchLog.objects.filter(day=DAY).count() == 1
    LogEntry.objects.filter(day=DAY).delete()
    StretchLog.objects.filter(day=DAY).delete()
    DailySession.objects.filter(day=DAY).delete()
    return [query["sql"] for query in captured.captured_queries]


def test_saving_the_day_reads_the_routine_twice_however_long_the_history(
    auth_client, user, routine
):
    """A save reads the routine once before its writes and once after, with a year of
    history as with one day."""
    routine.tension = True  # the stretch is on every day: in the form, and saved
    routine.save()
    techniques = list(Technique.objects.filter(region__slug="thigh"))
    LogEntryFactory(member=user, technique=techniques[0], day=DAY - timedelta(days=1))
    one_day = _save_queries(auth_client)
    # Each read of the routine reads its pinned techniques once.
    assert sum("routines_routine_pinned_techniques" in sql for sql in one_day) == 2
    _a_year_before(user, routine, techniques)
    assert len(_save_queries(auth_client)) == len(one_day)


# --- Other pages -------------------------------------------------------------------------


def test_next_14_days_lists_fourteen_days_from_today(auth_client, routine):
    """The upcoming page shows today and the 13 days after it, with reasons."""
    response = auth_client.get("/routine/next/" + _at(DAY))
    assert len(response.context["days"]) == 14
    page = response.content.decode()
    assert "Today, Monday 2 March" in page
    assert "Sunday 15 March" in page
    assert "lead-in: do before Psoas Press" in page


def test_next_14_days_names_held_back_techniques(auth_client, user, routine):
    """A technique held back after overuse is named and linked, not shown by its slug."""
    technique = Technique.objects.get(slug="glute-ball-roll")
    LogEntryFactory(
        member=user,
        technique=technique,
        day=DAY - timedelta(days=1),
        sensitivity="more",
        movement="same",
    )
    page = auth_client.get("/routine/next/" + _at(DAY)).content.decode()
    link = f'Held back: <a href="{technique.get_absolute_url()}">{technique.name}</a>'
    assert link in page
    assert "Held back: glute-ball-roll" not in page


def test_history_shows_streak_and_a_chart_per_technique(auth_client, user, routine):
    """History shows the streak and an inline SVG chart of sensitivity and movement."""
    technique = Technique.objects.get(slug="glute-ball-roll")
    for days_ago, sens in ((2, "more"), (1, "same"), (0, "less")):
        day = DAY - timedelta(days=days_ago)
        LogEntryFactory(
            member=user, technique=technique, day=day, sensitivity=sens, movement="same"
        )
        DailySession.objects.create(routine=routine, day=day, finished=True)
    response = auth_client.get("/routine/history/" + _at(DAY))
    assert response.context["streak"] == 3
    page = response.content.decode()
    assert "<svg" in page
    assert "<polyline" in page
    assert "Done 3 times" in page
    assert "style=" not in page.split("<main", 1)[1]


def test_a_note_can_be_added_to_a_logged_item(auth_client, user, routine):
    """The note page saves a note on the member's own entry."""
    entry = LogEntryFactory(member=user, technique=Technique.objects.get(slug="psoas-press"))
    response = auth_client.post(f"/routine/log/{entry.pk}/note/", {"note": "Breathe out"})
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.note == "Breathe out"


def test_settings_save_changes_and_keep_the_place(auth_client, user, routine):
    """2 to 3 a day mid-thigh: the thigh pass goes on where it was, and calves still follow."""
    _pass_began(routine, "thigh", DAY - timedelta(days=1))
    _done(user, DAY - timedelta(days=1), "quads-roll", "outer-thigh-roll")
    DailySession.objects.create(routine=routine, day=DAY - timedelta(days=1), finished=True)
    routine.tools.set(Tool.objects.all())
    form = auth_client.get("/routine/settings/" + _at(DAY)).context["form"]
    data = _onboarding_data(form)
    data["per_day"] = 3
    response = auth_client.post("/routine/settings/" + _at(DAY), data)
    assert response.status_code == HTTPStatus.FOUND
    routine.refresh_from_db()
    assert routine.per_day == 3
    assert routine.sessions.count() == 1
    today = auth_client.get(TODAY)
    assert today.context["plan"].region == "thigh"
    assert _counted(today) == ["inner-thigh-roll", "hamstring-roll"]
    days = auth_client.get("/routine/next/" + _at(DAY)).context["days"]
    regions = [plan.region for plan, *_ in days]
    assert regions[:4] == ["thigh", "thigh", "calves", "calves"]


def _plan_day(client, day: date) -> None:
    """Do ``day`` as planned: every item ticked off, feeling better."""
    response = client.get("/routine/" + _at(day))
    slugs = [row.item.slug for row in response.context["rows"] if not row.is_daily_stretch]
    post = _log_post(dict.fromkeys(slugs, DONE_WELL))
    if response.context["show_stretch"]:
        # As a browser sends the stretch fields it was shown, minutes left empty.
        post |= {"stretch-prop": response.context["stretch"].suggested_prop}
    saved = client.post("/routine/log/" + _at(day), post)
    assert saved.status_code == HTTPStatus.FOUND


def _pdf_text(response) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def test_a_hold_shows_on_the_same_day_everywhere(auth_client, user, routine, monkeypatch):
    """After overuse, "today", Next 14 days, the plan PDF and the feed hold it on one day."""
    # The feed has no ?date=: its today is the clock's.
    monkeypatch.setattr("routines.views.timezone.now", lambda: datetime(2026, 3, 2, 12, tzinfo=UTC))
    post = _log_post({"glute-ball-roll": OVERUSE, "side-hip-ball-press": DONE_WELL})
    saved = auth_client.post("/routine/log/" + _at(DAY), post, follow=True)
    upcoming = auth_client.get("/routine/next/" + _at(DAY))
    held_days = [
        (plan.day, held)
        for plan, _, _, held_back in upcoming.context["days"]
        for _, held in held_back
        if held.slug == "glute-ball-roll"
    ]
    # Its next turn is the next hip day, 13 days on; the day after is outside the 14.
    assert len(held_days) == 1
    held_on, held = held_days[0]
    # Held beyond the 7 days on its next turn: the next round of the hip.
    assert held_on > DAY + timedelta(days=7)
    until = held.until
    assert until > held_on
    assert (
        f"Glute Ball Roll held back until {until:%-d %b}: "
        "it felt more sensitive and moved no better."
    ) in _text(saved)
    upcoming_text = _text(upcoming)
    assert (
        f"{held_on:%A %-d %B} Hip Side Hip Ball Press TFL Ball Press Held back: Glute Ball Roll"
    ) in upcoming_text
    assert (
        f"Held back: Glute Ball Roll, it felt more sensitive and moved no better; "
        f"back on {until:%A %-d %B}."
    ) in upcoming_text

    pdf = _pdf_text(auth_client.get("/routine/plan.pdf" + _at(DAY)))
    held_day_text = pdf.split(f"{held_on:%A %-d %B}", 1)[1]
    held_day_text = held_day_text.split(f"{held_on + timedelta(days=1):%A %-d %B}", 1)[0]
    assert (
        "Held back: Glute Ball Roll, it felt more sensitive and moved no better; "
        f"back on {until:%A %-d %B}."
    ) in held_day_text
    assert pdf.count("Held back: Glute Ball Roll") == 1

    feed = Calendar.from_ical(Client().get(f"/routine/feed/{routine.feed_token}.ics").content)
    held_events = [
        event.decoded("dtstart").date()
        for event in feed.walk("VEVENT")
        if "Held back: Glute Ball Roll" in str(event["DESCRIPTION"])
    ]
    assert held_events == [held_on]

    # Done as planned day by day, "today" holds it back on that very day and not before.
    day = DAY + timedelta(days=1)
    while day < held_on:
        _plan_day(auth_client, day)
        day += timedelta(days=1)
    today = auth_client.get("/routine/" + _at(held_on))
    assert [h.slug for h in today.context["plan"].held_back if h.cause == "overuse"] == [
        "glute-ball-roll"
    ]
    assert "glute-ball-roll" not in _item_slugs(today)
    assert f"Back on {until:%A %-d %B}, gently." in _text(today)


def _all_regions(user) -> Routine:
    Routine.objects.filter(member=user).delete()
    return RoutineFactory(
        member=user,
        start_date=DAY,
        regions=["hip", "thigh", "calves", "shoulder", "arms", "back", "foot"],
    )


def test_a_cycle_choice_applies_with_one_click(auth_client, user, catalogue):
    """All seven regions at 2 a day: the "3 a day" button applies and says the new round."""
    routine = _all_regions(user)
    page = auth_client.get(TODAY)
    report = page.context["report"]
    assert report.too_long
    text = _text(page)
    assert f"One round takes {report.days} days" in text
    per_day = next(c for c, _ in page.context["choices"] if c.key == "per-day")
    assert f"then one round takes {per_day.cycle_days} days" in text
    response = auth_client.post("/routine/round/" + _at(DAY), {"choice": "per-day"}, follow=True)
    assert response.redirect_chain[0][0] == TODAY
    routine.refresh_from_db()
    assert routine.per_day == 3
    assert (
        f"Done: do 3 a day instead of 2. One round of your regions now takes "
        f"{per_day.cycle_days} days."
    ) in _text(response)
    assert response.context["report"].days == per_day.cycle_days


def test_a_cycle_choice_that_no_longer_applies_is_refused_kindly(auth_client, user, catalogue):
    """A choice from a stale page (or made up) says so and changes nothing, never a 500."""
    routine = _all_regions(user)
    for key in ("drop:nowhere", "leave-out:no-such-technique", ""):
        response = auth_client.post("/routine/round/" + _at(DAY), {"choice": key}, follow=True)
        assert response.status_code == HTTPStatus.OK
        assert CHOICE_GONE_ERROR in response.content.decode().replace("&#x27;", "'")
    auth_client.post("/routine/round/" + _at(DAY), {"choice": "per-day"})
    again = auth_client.post("/routine/round/" + _at(DAY), {"choice": "per-day"}, follow=True)
    assert CHOICE_GONE_ERROR in again.content.decode()
    routine.refresh_from_db()
    assert routine.per_day == 3
    assert list(routine.region_links.values_list("region__slug", flat=True)) == [
        "hip",
        "thigh",
        "calves",
        "shoulder",
        "arms",
        "back",
        "foot",
    ]
    assert not routine.excluded_techniques.exists()


def test_plan_pdf_lists_the_fourteen_days(auth_client, routine):
    """The plan PDF is an attachment whose text has the days and techniques."""
    response = auth_client.get("/routine/plan.pdf" + _at(DAY))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Monday 2 March" in text
    assert "Sunday 15 March" in text
    assert "Glute Ball Roll" in text
    assert "Psoas Press" in text


def test_plan_pdf_render_failure_is_a_friendly_503(auth_client, routine, monkeypatch):
    """A renderer error gives the explanatory 503 page, not a server error."""

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("routines.documents.plan_pdf", broken)
    response = auth_client.get("/routine/plan.pdf" + _at(DAY))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"]
    assert "try again" in response.content.decode().lower()


def test_ical_feed_parses_and_keeps_stable_uids(user, routine):
    """The feed is valid iCalendar with a VTIMEZONE and the same UIDs on every fetch."""
    profile_update(profile=profile_for(user), time_zone="Europe/London")
    client = Client()
    url = f"/routine/feed/{routine.feed_token}.ics"
    first = client.get(url)
    assert first["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 14
    assert calendar.walk("VTIMEZONE")
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == 14
    again = Calendar.from_ical(client.get(url).content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == uids
    assert str(events[0]["SUMMARY"]).startswith("SMR:")


def test_a_wrong_or_revoked_feed_token_is_404(auth_client, routine):
    """An unknown token, and the old token after regenerating, give 404."""
    client = Client()
    assert client.get("/routine/feed/not-a-token.ics").status_code == HTTPStatus.NOT_FOUND
    old = routine.feed_token
    auth_client.post("/routine/feed/new-address/")
    assert client.get(f"/routine/feed/{old}.ics").status_code == HTTPStatus.NOT_FOUND
    routine.refresh_from_db()
    assert client.get(f"/routine/feed/{routine.feed_token}.ics").status_code == HTTPStatus.OK


# --- Privacy and CSRF ---------------------------------------------------------------------

PRIVATE_GETS = [
    "/routine/",
    "/routine/next/",
    "/routine/history/",
    "/routine/plan.pdf",
    "/routine/settings/",
]


@pytest.mark.parametrize("url", PRIVATE_GETS)
def test_anonymous_visitors_are_sent_to_sign_in(client, routine, url):
    """Every private page redirects an anonymous visitor to the sign-in page."""
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_another_member_never_sees_someone_elses_log(client, user, other_user, routine):
    """Another member's note page, and posts about entries, give 404."""
    entry = LogEntryFactory(
        member=user, technique=Technique.objects.get(slug="psoas-press"), note="private"
    )
    client.force_login(other_user)
    assert client.get(f"/routine/log/{entry.pk}/note/").status_code == HTTPStatus.NOT_FOUND
    assert client.post(f"/routine/log/{entry.pk}/note/", {"note": "x"}).status_code == 404
    for url in ("/routine/next/", "/routine/history/", "/routine/plan.pdf", "/routine/settings/"):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    for url in (
        "/routine/log/",
        "/routine/round/",
        "/routine/pin/psoas-press/",
        "/routine/feed/new-address/",
    ):
        assert client.post(url).status_code == HTTPStatus.NOT_FOUND, url
    entry.refresh_from_db()
    assert entry.note == "private"


def test_a_member_sees_only_their_own_plan(client, user, other_user, routine, other_routine):
    """With both members onboarded, each one's history shows only their own log."""
    LogEntryFactory(
        member=user,
        technique=Technique.objects.get(slug="psoas-press"),
        day=DAY,
        note="ryan's secret",
    )
    client.force_login(other_user)
    assert "ryan's secret" not in client.get("/routine/history/" + _at(DAY)).content.decode()
    assert "ryan's secret" not in client.get("/routine/" + _at(DAY)).content.decode()


CSRF_POSTS = [
    ("/routine/start/", False),
    ("/routine/settings/", True),
    ("/routine/log/", True),
    ("/routine/round/", True),
    ("/routine/pin/calf-roll/", True),
    ("/routine/feed/new-address/", True),
    ("note", True),
]


@pytest.mark.parametrize(("url", "needs_routine"), CSRF_POSTS)
def test_every_form_refuses_a_post_without_csrf_token(user, catalogue, url, needs_routine):
    """Each POST form answers 403 without a CSRF token."""
    from tests.factories import RoutineFactory

    if needs_routine:
        RoutineFactory(member=user)
    if url == "note":
        entry = LogEntryFactory(member=user, technique=Technique.objects.get(slug="psoas-press"))
        url = f"/routine/log/{entry.pk}/note/"
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(url, {}).status_code == HTTPStatus.FORBIDDEN


def test_no_tools_ticked_says_which_setting_to_change_once(auth_client, user, routine):
    """A member with no tools ticked is told that tools are why nothing is planned, and where."""
    from routines import services

    services.routine_update(
        routine=routine,
        regions=[link.region for link in routine.region_links.order_by("position")],
        tools=[],
        per_day=2,
        tension=False,
        time_zone="UTC",
        reminders_on=False,
        reminder_time=routine.reminder_time,
        today=DAY,
    )
    page = auth_client.get(TODAY).content.decode()
    assert page.count("needs a tool you have not ticked") == 1
    assert 'href="/routine/settings/#div_id_tools"' in page
    assert 'id="div_id_tools"' in auth_client.get("/routine/settings/").content.decode()
