import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from techniques.models import FormerSlug, Step, Technique
from tests.factories import RegionFactory, StepFactory, TechniqueFactory

pytestmark = pytest.mark.django_db


def test_technique_slugs_are_unique():
    """Two techniques cannot share a slug."""
    TechniqueFactory(slug="psoas-press")
    with pytest.raises(IntegrityError), transaction.atomic():
        TechniqueFactory(slug="psoas-press", name="Another name")


def test_database_refuses_a_technique_that_comes_after_itself():
    """The database itself refuses 'do this after itself'."""
    technique = TechniqueFactory()
    technique.after = technique
    with pytest.raises(IntegrityError), transaction.atomic():
        technique.save()


def test_database_refuses_a_technique_paired_with_itself():
    """A technique cannot be its own paired stretch."""
    technique = TechniqueFactory(kind=Technique.Kind.STRETCH)
    technique.paired_stretch = technique
    with pytest.raises(IntegrityError), transaction.atomic():
        technique.save()


def test_database_refuses_an_unknown_kind():
    """Only releases and stretches can be stored."""
    with pytest.raises(IntegrityError), transaction.atomic():
        TechniqueFactory(kind="gun")


def test_database_refuses_a_frequency_outside_one_to_sixty_days():
    """The minimum frequency must be a sensible number of days."""
    with pytest.raises(IntegrityError), transaction.atomic():
        TechniqueFactory(min_frequency_days=0)


def test_step_positions_are_unique_within_a_technique():
    """A technique cannot have two step 1s."""
    step = StepFactory(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(technique=step.technique, position=1, text="Again.")


def test_clean_rejects_a_loop_of_prerequisites():
    """A after B after A is refused with a message that names the loop."""
    first = TechniqueFactory(name="Glute Roll")
    second = TechniqueFactory(name="Piriformis Press", after=first)
    first.after = second
    with pytest.raises(ValidationError) as error:
        first.full_clean()
    assert "Glute Roll → Piriformis Press → Glute Roll" in str(error.value)


def test_clean_rejects_pairing_with_a_release():
    """The paired item must be a stretch."""
    release = TechniqueFactory()
    technique = TechniqueFactory(paired_stretch=release)
    with pytest.raises(ValidationError, match="stretch"):
        technique.full_clean()


def test_urls_and_names():
    """A technique links to its page and a region to its catalogue filter."""
    region = RegionFactory(slug="hip", name="Hip")
    technique = TechniqueFactory(slug="psoas-press", name="Psoas Press", region=region)
    assert technique.get_absolute_url() == "/techniques/psoas-press/"
    assert region.get_absolute_url() == "/techniques/?region=hip"
    assert str(technique) == "Psoas Press"


@pytest.mark.parametrize("slug", ["booklet", "comments"])
def test_clean_rejects_slugs_that_other_pages_use(slug):
    """A technique cannot take the address of the booklet or the comment pages."""
    technique = TechniqueFactory.build(slug=slug, region=RegionFactory())
    with pytest.raises(ValidationError, match="address of another page"):
        technique.full_clean()


def test_a_former_slug_cannot_be_the_current_slug_of_a_technique():
    """An old address that some technique uses now is refused, naming that technique."""
    TechniqueFactory(slug="quads-roll", name="Quads Roll")
    former = FormerSlug(slug="quads-roll", technique=TechniqueFactory(slug="psoas-press"))
    with pytest.raises(ValidationError, match="current address of Quads Roll"):
        former.full_clean()


def test_a_former_slug_cannot_be_its_own_techniques_slug():
    """A technique's current slug is not also one of its old ones."""
    technique = TechniqueFactory(slug="psoas-press", name="Psoas Press")
    with pytest.raises(ValidationError, match="current address of Psoas Press"):
        FormerSlug(slug="psoas-press", technique=technique).full_clean()


@pytest.mark.parametrize("slug", ["booklet", "comments"])
def test_a_former_slug_cannot_be_the_address_of_another_page(slug):
    """The booklet and comment pages are never a technique's old address."""
    with pytest.raises(ValidationError, match="address of another page"):
        FormerSlug(slug=slug, technique=TechniqueFactory()).full_clean()


def test_former_slugs_are_unique():
    """One old address leads to one technique."""
    FormerSlug.objects.create(slug="tfl-ball", technique=TechniqueFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        FormerSlug.objects.create(slug="tfl-ball", technique=TechniqueFactory())


def test_a_technique_cannot_take_another_techniques_former_slug():
    """Renaming a technique to an address that still leads elsewhere is refused."""
    renamed = TechniqueFactory(slug="tfl-ball-press", name="TFL Ball Press")
    FormerSlug.objects.create(slug="tfl-ball", technique=renamed)
    technique = TechniqueFactory(slug="side-hip-ball-press")
    technique.slug = "tfl-ball"
    with pytest.raises(ValidationError, match="address of TFL Ball Press"):
        technique.full_clean()


def test_a_technique_can_take_back_its_own_former_slug():
    """Only another technique's old address is refused."""
    technique = TechniqueFactory(slug="tfl-ball-press")
    FormerSlug.objects.create(slug="tfl-ball", technique=technique)
    technique.slug = "tfl-ball"
    technique.full_clean()
