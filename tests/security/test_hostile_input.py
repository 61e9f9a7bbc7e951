"""Regression tests for the server errors the fuzzing found, one input each."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from questions.models import Comment, CommentFlag
from routines.forms import RoutineForm
from techniques.models import Technique
from techniques.params import id_from
from tests.factories import CommentFactory, RoutineFactory, UserFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("²", None),
        ("٣", None),
        ("9" * 5000, None),
        (str(2**63), None),
        (str(2**63 - 1), 2**63 - 1),
        ("0", None),
        ("-3", None),
        ("", None),
        (None, None),
        (["1"], None),
    ],
)
def test_id_from_reads_only_plain_positive_ids(value, expected):
    """Only ASCII digits naming a 64-bit id are read as an id."""
    assert id_from(value) == expected


@pytest.mark.parametrize("reply_to", ["²", "9" * 5000, str(2**70)])
def test_the_technique_page_ignores_a_replyto_that_is_not_an_id(catalogue, reply_to):
    """``?replyto=²`` or a 5,000-digit number shows the page instead of a 500."""
    response = Client().get("/techniques/psoas-press/", {"replyto": reply_to})
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("parent", ["²", "9" * 5000])
def test_a_comment_with_a_junk_parent_comes_back_with_errors(catalogue, parent):
    """A posted reply whose parent is not an id re-shows the form, it does not crash."""
    client = Client()
    client.force_login(UserFactory(username="poster"))
    url = reverse("techniques:comment_create", kwargs={"slug": "psoas-press"})
    response = client.post(url, {"body": "x", "parent": parent})
    assert response.status_code == HTTPStatus.OK
    assert not Comment.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2200-01-01"])
def test_a_date_override_far_from_today_is_ignored(catalogue, settings, day):
    """``?date=0001-01-01`` shows today's plan instead of overflowing the calendar."""
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True
    member = UserFactory(username="planner")
    RoutineFactory(member=member)
    client = Client()
    client.force_login(member)
    for name in ("routines:today", "routines:upcoming", "routines:history", "routines:log"):
        if name == "routines:log":
            response = client.post(f"{reverse(name)}?date={day}", {"form-TOTAL_FORMS": "0"})
        else:
            response = client.get(reverse(name), {"date": day})
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, name
        assert day not in response.get("Location", ""), name


@pytest.mark.parametrize("pk", [str(2**63), "9" * 30, "²"])
def test_routine_forms_refuse_tool_ids_no_database_can_hold(catalogue, pk):
    """A posted tool or technique id over 2**63 is a form error, not an OverflowError."""
    form = RoutineForm(
        {"tools": [pk], "left_out": [pk], "per_day": "2", "time_zone": "UTC"},
        regions=[],
        default_regions=(),
        with_left_out=True,
    )
    assert not form.is_valid()
    assert "tools" in form.errors
    assert "left_out" in form.errors


def test_a_flag_reason_with_a_nul_character_is_stored_without_it(catalogue):
    """A NUL in a flag's reason (which PostgreSQL cannot store) is dropped."""
    question = CommentFactory(technique=Technique.objects.get(slug="psoas-press"))
    client = Client()
    client.force_login(UserFactory(username="flagger"))
    url = reverse("techniques:comment_flag", args=[question.pk])
    response = client.post(url, {"reason": "spam\x00here"})
    assert response.status_code == HTTPStatus.FOUND
    assert CommentFlag.objects.get().reason == "spamhere"


@pytest.mark.parametrize("query", ["\x00", "psoas\x00", "a\x00b"])
def test_a_search_with_a_nul_character_shows_the_catalogue(catalogue, query):
    """``?q=`` with a NUL (which PostgreSQL refuses) searches without it."""
    response = Client().get("/techniques/", {"q": query})
    assert response.status_code == HTTPStatus.OK


def test_a_booklet_region_with_a_nul_character_is_404(catalogue):
    """``?region=`` with a NUL on the booklet is an unknown region, not a 500."""
    response = Client().get("/techniques/booklet/", {"region": "nowhere\x00"})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_feed_token_with_a_nul_character_is_404(catalogue):
    """A calendar feed address holding %00 is 404 on every database."""
    assert Client().get("/routine/feed/abc%00def.ics").status_code == HTTPStatus.NOT_FOUND


def test_a_visitor_replying_with_a_huge_comments_value_is_sent_to_sign_in(catalogue):
    """?replyto= with 20,000 characters of junk in ?comments= still leads to the sign-in page."""
    question = CommentFactory(technique=Technique.objects.get(slug="psoas-press"))
    url = reverse("techniques:detail", kwargs={"slug": "psoas-press"})
    response = Client().get(url, {"comments": "\x80" * 20_000, "replyto": question.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    assert "%C2%80" not in response["Location"]


@pytest.mark.parametrize("region", ["", " ", "\x00", "hip\x00", " hip", "HIP", "hip,thigh"])
def test_a_booklet_region_that_is_not_exactly_a_region_is_404(catalogue, region):
    """Only a region's own slug gives a region booklet; nothing else gives the whole one."""
    response = Client().get("/techniques/booklet/", {"region": region})
    assert response.status_code == HTTPStatus.NOT_FOUND
