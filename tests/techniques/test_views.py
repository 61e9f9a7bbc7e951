import html
import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from techniques.models import Technique
from tests.factories import CommentFactory, RegionFactory, StepFactory, TechniqueFactory

pytestmark = pytest.mark.django_db


def test_home_explains_smr_and_lists_regions(client, catalogue):
    """The home page says what SMR is and links every region."""
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Self-myofascial release" in body
    for slug in ["hip", "thigh", "calves", "shoulder", "arms"]:
        assert f"/techniques/?region={slug}" in body


def test_home_has_an_empty_state_without_a_catalogue(client, db):
    """A site with no catalogue says how to load one instead of showing nothing."""
    response = client.get("/")
    assert "seed_catalogue" in response.content.decode()


def test_catalogue_groups_techniques_by_region(client, catalogue):
    """The catalogue shows each region as a heading with its techniques under it."""
    response = client.get("/techniques/")
    assert response.status_code == HTTPStatus.OK
    groups = response.context["groups"]
    assert [region.slug for region, _ in groups][:5] == [
        "hip",
        "thigh",
        "calves",
        "shoulder",
        "arms",
    ]
    body = response.content.decode()
    assert "Psoas Press" in body
    assert "Quads Roll" in body


def test_catalogue_filters_by_region(client, catalogue):
    """?region=thigh shows only thigh techniques."""
    response = client.get("/techniques/", {"region": "thigh"})
    groups = response.context["groups"]
    assert [region.slug for region, _ in groups] == ["thigh"]
    assert "Quads Roll" in response.content.decode()
    assert "Psoas Press" not in response.content.decode()


def test_catalogue_unknown_region_is_not_found(client, catalogue):
    """A made-up region gives the friendly 404 page, not a 500."""
    response = client.get("/techniques/", {"region": "elbow-of-doom"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "couldn’t find that page" in response.content.decode()


@pytest.mark.parametrize("query", ["psoas", "PSOAS", "iliopsoas", "lower back"])
def test_catalogue_search_finds_the_psoas_press(client, catalogue, query):
    """Searching by name, muscle or complaint finds the Psoas Press."""
    response = client.get("/techniques/", {"q": query})
    slugs = [t.slug for _, items in response.context["groups"] for t in items]
    assert "psoas-press" in slugs


def test_catalogue_search_every_word_must_match(client, db):
    """Each extra search word narrows the results."""
    region = RegionFactory(slug="hip", name="Hip")
    TechniqueFactory(name="Glute Ball", target_muscles="Gluteus maximus", region=region)
    TechniqueFactory(name="Glute Roller", target_muscles="Gluteus medius", region=region)
    response = client.get("/techniques/", {"q": "glute medius"})
    names = [t.name for _, items in response.context["groups"] for t in items]
    assert names == ["Glute Roller"]


def test_catalogue_search_with_no_match_shows_help(client, catalogue):
    """A search without results says so and offers a way back."""
    response = client.get("/techniques/", {"q": "zzzz-nothing"})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Nothing matches" in body
    assert "0 techniques match" in body


def test_catalogue_search_escapes_the_query(client, catalogue):
    """A query with markup is shown as text."""
    response = client.get("/techniques/", {"q": "<script>alert(1)</script>"})
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_technique_page_reads_in_order(client, catalogue):
    """The Psoas Press page has what a reader needs, in the order they need it."""
    response = client.get("/techniques/psoas-press/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    headings = [
        "What it works and why",
        "Who it helps",
        "Before you start",
        "Step by step",
        "How often, and what to pair it with",
        "When to back off",
    ]
    positions = [body.index(h) for h in headings]
    assert positions == sorted(positions)
    assert 'href="/techniques/quads-roll/"' in body
    assert 'href="/techniques/supported-corpse-stretch/"' in body
    assert "At least once every 14 days" in body
    assert "more often is better" in body
    assert "for education only" in body
    assert "<title>Psoas Press" in body
    assert '<meta name="description" content="' in body


def test_technique_page_links_the_rest_of_the_region(client, catalogue):
    """The page lists the other hip techniques."""
    response = client.get("/techniques/psoas-press/")
    siblings = [link.url for link in response.context["siblings"]]
    hip = Technique.objects.filter(region__slug="hip", is_published=True).exclude(
        slug="psoas-press"
    )
    assert siblings
    assert sorted(siblings) == sorted(t.get_absolute_url() for t in hip)


def test_stretch_page_shows_its_progression(client, catalogue):
    """The Supported Corpse Stretch shows the prop progression and the 5-minute target."""
    response = client.get("/techniques/supported-corpse-stretch/")
    body = response.content.decode()
    assert "Working up to it" in body
    assert "5 unbroken, motionless minutes" in body


def test_unknown_technique_is_a_friendly_404(client, db):
    """A bad slug gives the site's 404 page."""
    response = client.get("/techniques/no-such-thing/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Browse the techniques" in response.content.decode()


def test_unpublished_technique_is_hidden(client, db):
    """Drafts are not shown to readers."""
    TechniqueFactory(slug="draft", is_published=False)
    assert client.get("/techniques/draft/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(("steps", "comments"), [(1, 1), (12, 200)])
def test_technique_page_query_count_is_constant(
    client, db, django_assert_num_queries, steps, comments
):
    """The page costs the same number of queries whatever the number of steps, siblings and
    comments (the technique with its region; its steps, tools and FAQ; the linked
    techniques; the thread's list with its count; and its first page)."""
    region = RegionFactory()
    prerequisite = TechniqueFactory(region=region)
    technique = TechniqueFactory(region=region, after=prerequisite)
    StepFactory.create_batch(steps, technique=technique)
    TechniqueFactory.create_batch(steps, region=region, after=technique)
    question = CommentFactory(technique=technique)
    CommentFactory.create_batch(comments - 1, parent=question)
    with django_assert_num_queries(5):
        response = client.get(reverse("techniques:detail", args=[technique.slug]))
    assert response.status_code == HTTPStatus.OK


def test_catalogue_query_count_is_constant(client, catalogue, django_assert_num_queries):
    """The catalogue page costs three queries however many techniques there are: regions,
    techniques, their comment counts."""
    with django_assert_num_queries(3):
        client.get("/techniques/")


def test_healthz_answers_when_the_database_does(client, db):
    """The health check says ok."""
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok\n"


def test_sitemap_lists_every_technique(client, catalogue):
    """The sitemap has a URL for each published technique."""
    response = client.get("/sitemap.xml")
    assert response.status_code == HTTPStatus.OK
    assert b"/techniques/psoas-press/" in response.content


def test_robots_points_at_the_sitemap(client, db):
    """robots.txt names the sitemap and keeps crawlers out of private pages."""
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /routine/" in body


def test_cautions_come_before_the_steps(client, catalogue):
    """The "do not do this if…" cautions are in "Before you start", ahead of the steps."""
    psoas = Technique.objects.get(slug="psoas-press")
    body = client.get("/techniques/psoas-press/").content.decode()
    caution = html.escape(psoas.cautions, quote=False)
    assert body.count(caution) == 1
    assert body.index("Before you start") < body.index(caution) < body.index("Step by step")


def test_the_search_count_agrees_with_its_number(client, catalogue):
    """One match is "1 technique matches", several "N techniques match"."""
    one = client.get("/techniques/", {"q": "corpse"}).content.decode()
    assert "1 technique matches “corpse”" in one
    several = client.get("/techniques/", {"q": "roll"}).content.decode()
    assert re.search(r"\d+ techniques match “roll”", several)


def test_a_technique_done_daily_does_not_say_every_1_days(client):
    """Frequencies and times of 1 are singular."""
    TechniqueFactory(slug="daily", min_frequency_days=1, target_minutes=1)
    page = client.get("/techniques/daily/").content.decode()
    assert "Every day, as long as the area keeps responding well." in page
    assert "Work up to 1 unbroken, motionless minute." in page
    assert "1 days" not in page
    assert "1 unbroken minutes" not in page
