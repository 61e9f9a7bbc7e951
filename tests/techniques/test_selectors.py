import pytest

from techniques import selectors
from techniques.models import Technique
from tests.factories import (
    CommentFactory,
    FaqEntryFactory,
    RegionFactory,
    StepFactory,
    TechniqueFactory,
    ToolFactory,
)

pytestmark = pytest.mark.django_db


def _url(technique: Technique) -> str:
    return technique.get_absolute_url()


def test_body_lists_the_region_in_rotation_order_without_drafts():
    """Siblings are the region's other published techniques: releases, then stretches."""
    hip, thigh = RegionFactory(), RegionFactory()
    technique = TechniqueFactory(region=hip, position=2)
    stretch = TechniqueFactory(region=hip, position=1, kind=Technique.Kind.STRETCH)
    second = TechniqueFactory(region=hip, position=3, name="B second")
    first = TechniqueFactory(region=hip, position=3, name="A first")
    TechniqueFactory(region=hip, is_published=False)
    TechniqueFactory(region=thigh)

    body = selectors.technique_body(slug=technique.slug)

    assert [link.url for link in body.siblings] == [_url(first), _url(second), _url(stretch)]
    assert [link.is_stretch for link in body.siblings] == [False, False, True]


def test_body_links_the_techniques_it_comes_before_in_catalogue_order():
    """ "Do this one before" lists published followers from any region, by region then position."""
    early, late = RegionFactory(position=1), RegionFactory(position=2)
    technique = TechniqueFactory(region=late)
    elsewhere = TechniqueFactory(region=early, after=technique, position=9)
    here = TechniqueFactory(region=late, after=technique, position=1)
    TechniqueFactory(region=late, after=technique, is_published=False)

    body = selectors.technique_body(slug=technique.slug)

    assert [link.url for link in body.leads_into] == [_url(elsewhere), _url(here)]
    assert [link.name for link in body.leads_into] == [elsewhere.name, here.name]


def test_body_names_what_it_comes_after_and_its_stretch_even_from_another_region():
    """The technique done first and the paired stretch are linked wherever they are."""
    before = TechniqueFactory(is_published=False)
    stretch = TechniqueFactory(kind=Technique.Kind.STRETCH)
    technique = TechniqueFactory(after=before, paired_stretch=stretch)

    body = selectors.technique_body(slug=technique.slug)

    assert body.after == selectors.TechniqueLink(name=before.name, url=_url(before))
    assert body.paired_stretch == selectors.TechniqueLink(
        name=stretch.name, url=_url(stretch), is_stretch=True
    )
    assert before.get_absolute_url() not in [link.url for link in body.siblings]


def test_body_without_links_has_none():
    """A technique alone in its region, after nothing, links nothing."""
    body = selectors.technique_body(slug=TechniqueFactory().slug)
    assert (body.after, body.paired_stretch, body.leads_into, body.siblings) == (
        None,
        None,
        (),
        (),
    )


def test_body_reads_steps_tools_and_faq_in_order():
    """Steps by position with their photo's address, tools by name, FAQ by position."""
    technique = TechniqueFactory()
    StepFactory(technique=technique, position=2, text="Second", image="techniques/steps/b.jpg")
    StepFactory(technique=technique, position=1, text="First")
    technique.tools.set([ToolFactory(name="Foam roller"), ToolFactory(name="Ball")])
    FaqEntryFactory(technique=technique, position=2, question="Later?")
    FaqEntryFactory(technique=technique, position=1, question="Sooner?")
    StepFactory()

    body = selectors.technique_body(slug=technique.slug)

    assert [(s.text, s.image_url) for s in body.steps] == [
        ("First", ""),
        ("Second", "/media/techniques/steps/b.jpg"),
    ]
    assert body.tools == ("Ball", "Foam roller")
    assert [entry.question for entry in body.faq] == ["Sooner?", "Later?"]


def test_body_of_a_draft_does_not_exist():
    """Only published techniques have a body."""
    with pytest.raises(Technique.DoesNotExist):
        selectors.technique_body(slug=TechniqueFactory(is_published=False).slug)


def test_comment_counts_count_published_comments_of_the_techniques_asked_for():
    """Replies count; pending and hidden comments, and other techniques, do not."""
    counted, silent, other = TechniqueFactory(), TechniqueFactory(), TechniqueFactory()
    question = CommentFactory(technique=counted)
    CommentFactory(parent=question)
    CommentFactory(technique=counted, status="pending")
    CommentFactory(technique=counted, status="hidden")
    CommentFactory(technique=other)

    counts = selectors.published_comment_counts(technique_ids=[counted.pk, silent.pk])

    assert counts == {counted.pk: 2}
    assert selectors.published_comment_counts(technique_ids=[]) == {}


def test_catalogue_entries_follow_the_search_with_addresses_and_counts():
    """Entries come in the search's order, each with its address and comment count."""
    region = RegionFactory()
    stretch = TechniqueFactory(region=region, position=1, kind=Technique.Kind.STRETCH)
    release = TechniqueFactory(region=region, position=2)
    CommentFactory(technique=stretch)

    entries = selectors.catalogue_entries(region=region)

    assert [(e.url, e.is_stretch, e.comment_count) for e in entries] == [
        (release.get_absolute_url(), False, 0),
        (stretch.get_absolute_url(), True, 1),
    ]


def test_body_technique_carries_its_fields_and_its_region():
    """The technique comes with the fields its page shows and its region's chip values."""
    region = RegionFactory(name="Hip", slug="hip", colour="#123456")
    technique = TechniqueFactory(region=region, per_side=False, series="Floor work")

    shown = selectors.technique_body(slug=technique.slug).technique

    assert (shown.name, shown.slug, shown.series, shown.per_side) == (
        technique.name,
        technique.slug,
        "Floor work",
        False,
    )
    assert shown.per_side is False
    assert (shown.region.name, shown.region.slug, shown.region.colour) == ("Hip", "hip", "#123456")
