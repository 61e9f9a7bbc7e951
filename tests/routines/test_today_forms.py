"""The day's log and onboarding as keyboard users meet them: one checkbox for 3 a day,
and a mistake on "today" summarised at the top, tied to the answers left open."""

import re
from datetime import date
from html import unescape
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.test.html import parse_html

from routines import selectors
from routines.forms import (
    FEEDBACK_REQUIRED_ERROR,
    ItemLogForm,
    ItemLogFormSet,
    LogError,
    RoutineForm,
    StretchLogForm,
    day_log_errors,
)
from routines.models import LogEntry
from routines.templatetags.log_fields import management_inputs
from routines.views import FIX_ERRORS

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
ALLOWED = frozenset({"glute-ball-roll", "side-hip-ball-press"})


def _routine_form(per_day: str | None) -> RoutineForm:
    regions = list(selectors.region_list())
    data = {"region_hip": "on", "time_zone": "UTC", "reminder_time": "07:00"}
    data |= {f"order_{region.slug}": str(n) for n, region in enumerate(regions, start=1)}
    if per_day is not None:
        data["per_day"] = per_day
    return RoutineForm(data, regions=regions, default_regions=["hip"])


@pytest.mark.parametrize(("posted", "per_day"), [(None, 2), ("3", 3), ("2", 2), ("", 2)])
def test_three_a_day_is_one_checkbox_and_leaving_it_means_two(catalogue, posted, per_day):
    """An unticked box posts nothing and means 2; ticked it posts 3; an explicit 2 stays 2."""
    form = _routine_form(posted)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["per_day"] == per_day


def test_three_a_day_refuses_any_other_number(catalogue):
    """A made-up daily maximum is a clear form error, not a crash."""
    form = _routine_form("7")
    assert not form.is_valid()
    assert "per_day" in form.errors


@pytest.mark.parametrize(("initial", "checked"), [(2, False), (3, True)])
def test_the_box_posts_3_and_is_ticked_for_a_routine_of_3(catalogue, initial, checked):
    """The checkbox's value is always 3; it starts ticked only for a routine of 3 a day."""
    regions = list(selectors.region_list())
    field = RoutineForm(regions=regions, default_regions=[], initial={"per_day": initial})
    html = str(field["per_day"])
    assert 'type="checkbox"' in html
    assert 'value="3"' in html
    assert ("checked" in html) is checked
    assert "required" not in html


def _item(prefix: str, **data) -> ItemLogForm:
    posted = {f"{prefix}-{key}": value for key, value in data.items()}
    form = ItemLogForm(posted, prefix=prefix, allowed=ALLOWED)
    form.is_valid()
    return form


def test_done_without_feedback_points_each_open_question_to_the_one_error():
    """Both questions left open point to the item's error; an answered one does not."""
    both = _item("form-0", technique="glute-ball-roll", status="done")
    assert both.unanswered_feedback == {
        "sensitivity": "form-0-feedback-error",
        "movement": "form-0-feedback-error",
    }
    one = _item("form-1", technique="glute-ball-roll", status="done", sensitivity="less")
    assert one.unanswered_feedback == {"movement": "form-1-feedback-error"}
    fine = _item("form-2", technique="glute-ball-roll", status="skipped")
    assert fine.unanswered_feedback == {}


def _checked(form: ItemLogForm, name: str) -> list[str]:
    return re.findall(r'value="([^"]*)"[^>]*checked', str(form[name]))


def test_items_keep_their_own_answers_and_errors_though_their_forms_share_fields():
    """The day's item forms share their fields instead of each copying them (the copies
    were most of the cost of the page's forms); each item still shows its own answers,
    names and errors, whatever was shown before it."""
    first = _item("form-0", technique="glute-ball-roll", status="done", sensitivity="less")
    second = _item("form-1", technique="side-hip-ball-press", status="skipped")
    assert first.fields["status"] is second.fields["status"]
    assert _checked(first, "status") == ["done"]
    assert _checked(first, "sensitivity") == ["less"]
    assert _checked(second, "status") == ["skipped"]
    assert _checked(second, "sensitivity") == []
    assert 'name="form-1-status"' in str(second["status"])
    assert first.non_field_errors() == [FEEDBACK_REQUIRED_ERROR]
    assert second.is_valid()
    assert "aria-invalid" not in str(second["movement"])


def test_the_summary_names_each_item_and_links_to_the_control_to_fix():
    """Errors in page order, each naming its item; radios by their first option, a hidden
    field by its item, the stretch's minutes by their box."""
    open_question = _item("form-0", technique="glute-ball-roll", status="done", movement="same")
    not_today = _item("form-1", technique="psoas-press", status="skipped")
    stretch = StretchLogForm(
        {"stretch-prop": "book", "stretch-unbroken_minutes": "99"}, prefix="stretch"
    )
    stretch.is_valid()
    errors = day_log_errors(
        [
            ("Glute Ball Roll", "item-glute-ball-roll", open_question),
            ("Psoas Press", "item-psoas-press", not_today),
        ],
        ("Supported Corpse Stretch", stretch),
    )
    assert errors[:2] == [
        LogError(f"Glute Ball Roll: {FEEDBACK_REQUIRED_ERROR}", "id_form-0-sensitivity_0"),
        LogError("Psoas Press: That technique is not on your plan today.", "item-psoas-press"),
    ]
    [minutes] = errors[2:]
    assert minutes.text.startswith("Supported Corpse Stretch, unbroken, motionless minutes: ")
    assert minutes.anchor == "id_stretch-unbroken_minutes"


def _management_inputs(page: str) -> dict[str, str]:
    found = re.findall(r'<input type="hidden" name="(form-[A-Z_]+_FORMS)" value="(\d+)"', page)
    return dict(found)


@pytest.mark.parametrize("path", ["/routine/", "/routine/session/"])
def test_the_day_form_carries_the_counts_django_reads_back(auth_client, routine, path):
    """The counts a page writes for its formset are the ones Django's ManagementForm writes,
    on a fresh page and on one sent back with a mistake, so a corrected form posts again."""
    at = f"?date={DAY.isoformat()}"
    fresh = auth_client.get(path + at)
    counts = _management_inputs(fresh.content.decode())
    assert counts == {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    post = counts | {
        "form-0-technique": "glute-ball-roll",
        "form-0-status": "done",
        "form-1-technique": "side-hip-ball-press",
    }
    mistaken = auth_client.post(f"/routine/log/{at}", post)
    assert mistaken.status_code == HTTPStatus.BAD_REQUEST
    assert _management_inputs(mistaken.content.decode()) == counts
    for response in (fresh, mistaken):
        page = response.content.decode()
        written = re.findall(r'<input type="hidden" name="form-[A-Z_]+_FORMS"[^>]*>', page)
        django_writes = str(response.context["formset"].management_form)
        assert parse_html("".join(written)) == parse_html(django_writes)
    corrected = post | {"form-0-sensitivity": "less", "form-0-movement": "better"}
    assert auth_client.post(f"/routine/log/{at}", corrected).status_code == HTTPStatus.FOUND
    assert LogEntry.objects.filter(technique__slug="glute-ball-roll", day=DAY).exists()


@pytest.mark.parametrize("auto_id", ["id_%s", "field-%s", True, "named", False])
def test_the_count_inputs_are_named_as_django_names_them(auto_id):
    """Whatever ids a formset asks for (a format, the bare names, none), the count inputs
    carry the ids Django's ManagementForm would give them."""
    formset = ItemLogFormSet(initial=[{"technique": "glute-ball-roll"}], auto_id=auto_id)
    written = management_inputs(formset)
    assert parse_html(written) == parse_html(str(formset.management_form))


def test_a_broken_count_comes_back_as_a_mistake_with_no_forms(auth_client, routine):
    """Counts no page of ours writes (a script's post): 400, nothing saved, and the page
    that comes back writes the counts Django read, so it cannot post items it never had."""
    post = {"form-TOTAL_FORMS": "x", "form-INITIAL_FORMS": "2", "form-0-status": "done"}
    response = auth_client.post(f"/routine/log/?date={DAY.isoformat()}", post)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not LogEntry.objects.exists()
    counts = _management_inputs(response.content.decode())
    assert counts["form-TOTAL_FORMS"] == "0"


def test_a_bad_submit_comes_back_with_the_summary_not_a_message(auth_client, routine):
    """Done without feedback: 400, nothing saved, the title says Error, one summary at the
    top whose link goes to the first question left open, which is marked invalid."""
    post = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-technique": "glute-ball-roll",
        "form-0-status": "done",
        "form-1-technique": "side-hip-ball-press",
    }
    response = auth_client.post(f"/routine/log/?date={DAY.isoformat()}", post)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not LogEntry.objects.exists()
    page = unescape(response.content.decode())
    assert re.search(r"<title>Error: Today’s plan", page)
    assert page.count(FIX_ERRORS) == 1
    assert list(get_messages(response.wsgi_request)) == []
    summary = page[
        page.index("data-error-summary") : page.index("</div>", page.index("data-error-summary"))
    ]
    assert f'href="#id_form-0-sensitivity_0">Glute Ball Roll: {FEEDBACK_REQUIRED_ERROR}' in summary
    first_option = re.search(r'<input type="radio"[^>]*id="id_form-0-sensitivity_0"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in first_option
    assert 'aria-describedby="form-0-feedback-error"' in first_option
    assert page.count(f"<strong>{FEEDBACK_REQUIRED_ERROR}</strong>") == 1
    # The untouched item is not in error.
    assert 'id="id_form-1-sensitivity_0" aria-invalid' not in page
