"""Property-based fuzzing of every form and query parameter: no input gives a server error.

Each test builds a small world once, then hypothesis throws random text at one page:
unicode, NUL and control characters, very long strings, numbers out of range, lists.
The Django test client re-raises any exception a view lets through, so a would-be 500
fails the test with its traceback.
"""

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routines.models import Routine
from tests.factories import (
    CommentFactory,
    LogEntryFactory,
    RoutineFactory,
    UserFactory,
    client_for,
)

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e",
    "\r\n",
    "\t\x0b\x0c\x1b",
    "😀",
    "²",
    "٣",
    "-1",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 5000,
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "a4",
    "letter",
    "hip",
]

# Any character a browser can send: lone surrogates cannot be encoded into a request.
char = st.characters(exclude_categories=["Cs"])
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),
    st.text(alphabet=char, max_size=50),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda c, n: c * n, char, st.integers(1_000, 30_000)),
)
# A form value, or several values for the same name (?q=a&q=b).
value = st.one_of(nasty_text, st.lists(nasty_text, min_size=2, max_size=3))


def _params(names: list[str]):
    """Most names present, each with a nasty value (a few left out, as browsers do)."""
    maybe = st.one_of(st.none(), value, value, value)
    return st.fixed_dictionaries(dict.fromkeys(names, maybe)).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def _ok(response) -> None:
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, response.status_code


@pytest.fixture
def member(catalogue):
    user = UserFactory(username="fuzzer", email="fuzzer@example.com")
    RoutineFactory(member=user)
    return user


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def thread(member):
    from techniques.models import Technique

    technique = Technique.objects.get(slug="psoas-press")
    question = CommentFactory(technique=technique)
    CommentFactory(parent=question)
    return question


# --- Query parameters of public pages ---------------------------------------------------


@FUZZ
@given(params=_params(["q", "region", "page"]))
def test_catalogue_query_parameters_never_give_a_server_error(catalogue, params):
    """Any ?q= and ?region= answers 200 (or 404 for an unknown region), never 500."""
    response = Client().get(reverse("techniques:list"), params)
    _ok(response)
    if "region" not in params:
        assert response.status_code == HTTPStatus.OK


@FUZZ
@given(params=_params(["comments", "replyto", "q"]))
def test_technique_page_query_parameters_never_give_a_server_error(member_client, thread, params):
    """Any ?comments= and ?replyto= renders the technique page, redirects to its canonical
    page, or is a 404 past the last page (a visitor's valid ?replyto= is sent to sign in)."""
    url = reverse("techniques:detail", kwargs={"slug": "psoas-press"})
    page = (HTTPStatus.OK, HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.NOT_FOUND)
    visitor = Client().get(url, params)
    assert visitor.status_code in (*page, HTTPStatus.FOUND)
    if visitor.status_code == HTTPStatus.FOUND:
        assert visitor["Location"].startswith(reverse("account_login"))
    if visitor.status_code == HTTPStatus.MOVED_PERMANENTLY:
        assert visitor["Location"].startswith(url)
    assert member_client.get(url, params).status_code in page


@FUZZ
@given(params=_params(["size"]))
def test_pdf_size_parameter_never_gives_a_server_error(catalogue, params):
    """Any ?size= on a handout gives the PDF or a 400 that lists the sizes."""
    response = Client().get(reverse("techniques:pdf", kwargs={"slug": "quads-roll"}), params)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)


@FUZZ
@given(region=nasty_text, size=nasty_text)
def test_booklet_parameters_never_give_a_server_error(catalogue, region, size):
    """Any ?region= and ?size= on the booklet gives a 400 or 404, never 500."""
    # An empty region would render the whole 70-page booklet; that is not input handling.
    # The view drops NULs (PostgreSQL refuses them), so NULs alone are empty too.
    meant = region.replace("\x00", "").strip()
    region = region if meant and meant != "hip" else "nowhere"
    response = Client().get(reverse("techniques:booklet"), {"region": region, "size": size})
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND)


@FUZZ
@given(pk=st.one_of(st.integers(min_value=0), st.sampled_from([2**31, 2**63, 10**30])))
def test_comment_permalinks_with_any_number_never_give_a_server_error(catalogue, pk):
    """A permalink to any comment number answers a redirect or a 404."""
    response = Client().get(f"/techniques/comments/{pk}/")
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.NOT_FOUND)


@FUZZ
@given(token=nasty_text)
def test_token_urls_with_any_token_never_give_a_server_error(member, token):
    """Calendar-feed, reminder and unsubscribe links with a made-up token answer 404."""
    client = Client()
    for name in ("routines:feed", "routines:reminders_off", "techniques:comment_unsubscribe"):
        if not token or "/" in token:
            continue
        try:
            url = reverse(name, kwargs={"token": token})
        except NoReverseMatch:  # a token the URL pattern itself cannot hold
            continue
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
        assert client.post(url).status_code == HTTPStatus.NOT_FOUND


# --- Query parameters of member pages ----------------------------------------------------


@pytest.mark.parametrize("override", [True, False])
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=_params(["date"]))
def test_routine_pages_with_any_date_never_give_a_server_error(
    member_client, settings, override, params
):
    """Today, next days and history render with any ?date=, with the override on or off."""
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = override
    settings.DEBUG = False
    for name in ("routines:today", "routines:upcoming", "routines:history"):
        response = member_client.get(reverse(name), params)
        assert response.status_code == HTTPStatus.OK, name


@pytest.mark.parametrize("override", [True, False])
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=_params(["date"]))
def test_plan_pdf_with_any_date_never_gives_a_server_error(
    member_client, settings, override, params
):
    """The plan PDF is rendered for any ?date=."""
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = override
    assert member_client.get(reverse("routines:pdf"), params).status_code == HTTPStatus.OK


# --- Forms ------------------------------------------------------------------------------


@FUZZ
@given(data=_params(["email", "password1", "password2", "display_name"]))
def test_sign_up_form_never_gives_a_server_error(catalogue, data):
    """Any sign-up input comes back as the form with errors, a redirect or a 429."""
    _ok(Client().post(reverse("account_signup"), data))


@FUZZ
@given(data=_params(["login", "password", "remember"]))
def test_sign_in_form_never_gives_a_server_error(member, data):
    """Any sign-in input comes back as the form with errors or a 429."""
    _ok(Client().post(reverse("account_login"), data))


@FUZZ
@given(
    data=_params(
        ["display_name", "time_zone", "notify_replies", "notify_followed", "notify_new_questions"]
    )
)
def test_profile_form_never_gives_a_server_error(member_client, data):
    """Any profile input is saved or comes back with errors."""
    _ok(member_client.post(reverse("members:profile"), data))
    assert member_client.get(reverse("members:profile")).status_code == HTTPStatus.OK


@FUZZ
@given(data=_params(["kind", "body", "follow", "parent", "website"]))
def test_comment_form_never_gives_a_server_error(catalogue, data):
    """Any question, remark or reply input is posted, refused or rate-limited, never a 500."""
    # A staff author is not rate-limited, so every example reaches the whole form.
    client = Client()
    client.force_login(UserFactory(username="fuzz-staff", is_staff=True))
    _ok(client.post(reverse("techniques:comment_create", kwargs={"slug": "psoas-press"}), data))


@FUZZ
@given(body=value, reason=value, action=value, follow=value)
def test_comment_actions_never_give_a_server_error(member, thread, body, reason, action, follow):
    """Editing, flagging, following and moderating take any input without a 500."""
    own = CommentFactory(technique=thread.technique, author=member)
    client = Client()
    client.force_login(member)
    _ok(client.post(reverse("techniques:comment_edit", args=[own.pk]), {"body": body}))
    _ok(client.post(reverse("techniques:comment_flag", args=[thread.pk]), {"reason": reason}))
    _ok(client.post(reverse("techniques:comment_follow", args=[thread.pk]), {"follow": follow}))
    staff = Client()
    staff.force_login(UserFactory(username="fuzz-moderator", is_staff=True))
    url = reverse("techniques:comment_moderate", args=[own.pk])
    _ok(staff.post(url, {"action": action, "next": reason}))


ROUTINE_FIELDS = [
    "tools",
    "tension",
    "per_day",
    "time_zone",
    "reminders_on",
    "reminder_time",
    "left_out",
    "region_hip",
    "order_hip",
    "region_thigh",
    "order_thigh",
]


@FUZZ
@given(data=_params(ROUTINE_FIELDS))
def test_onboarding_and_settings_forms_never_give_a_server_error(member, data):
    """Onboarding and routine settings take any input without a 500."""
    client = Client()
    client.force_login(member)
    _ok(client.post(reverse("routines:settings"), data))
    newcomer = UserFactory(username="fuzz-newcomer")
    Routine.objects.filter(member=newcomer).delete()
    client.force_login(newcomer)
    _ok(client.post(reverse("routines:start"), data))


LOG_FIELDS = [
    "form-TOTAL_FORMS",
    "form-INITIAL_FORMS",
    "form-MAX_NUM_FORMS",
    "form-0-technique",
    "form-0-status",
    "form-0-sensitivity",
    "form-0-movement",
    "form-0-note",
    "stretch-prop",
    "stretch-unbroken_minutes",
    "stretch-tension",
    "note",
    "action",
    "choice",
]


@FUZZ
@given(data=_params(LOG_FIELDS), date=nasty_text)
def test_log_note_choice_and_pin_forms_never_give_a_server_error(member, settings, data, date):
    """The day's log, notes, cycle choices and pins take any input without a 500."""
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True
    client = Client()
    client.force_login(member)
    query = {"date": date}
    _ok(client.post(reverse("routines:log"), data, query_params=query))
    _ok(client.post(reverse("routines:cycle_choice"), data, query_params=query))
    _ok(client.post(reverse("routines:pin", args=["quads-roll"]), data, query_params=query))
    entry = LogEntryFactory(
        member=member, technique_id=thread_technique_id(), day=datetime.date(2026, 3, 1)
    )
    _ok(client.post(reverse("routines:note", args=[entry.pk]), data))
    entry.delete()


def thread_technique_id() -> int:
    from techniques.models import Technique

    return Technique.objects.values_list("pk", flat=True).get(slug="quads-roll")
