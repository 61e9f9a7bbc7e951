import pytest
from django.core.management import call_command

from techniques.models import Region, Step, Technique, Tool
from techniques.services import catalogue_load, catalogue_read

pytestmark = pytest.mark.django_db

REQUIRED_REGIONS = ["hip", "thigh", "calves", "shoulder", "arms"]


def test_seed_loads_the_required_catalogue():
    """The shipped catalogue has 30+ techniques, 4+ per core region and the required slugs."""
    call_command("seed_catalogue")
    releases = Technique.objects.releases()
    assert releases.count() >= 30
    for slug in REQUIRED_REGIONS:
        assert releases.filter(region__slug=slug).count() >= 4, slug
    assert list(
        Region.objects.filter(slug__in=REQUIRED_REGIONS).values_list("slug", flat=True)
    ) == (REQUIRED_REGIONS)
    psoas = Technique.objects.get(slug="psoas-press")
    assert psoas.after.slug == "quads-roll"
    assert psoas.paired_stretch.slug == "supported-corpse-stretch"
    assert psoas.min_frequency_days == 14
    stretch = Technique.objects.get(slug="supported-corpse-stretch")
    assert stretch.is_stretch
    assert stretch.target_minutes == 5
    assert len(stretch.progression_stages) >= 2


def test_every_seeded_technique_has_steps_and_passes_validation():
    """Each technique has ordered steps and would be accepted by the admin."""
    call_command("seed_catalogue")
    for technique in Technique.objects.all():
        technique.full_clean()
        positions = list(technique.steps.values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), technique.slug
        assert len(positions) >= 3, technique.slug


def test_seed_is_idempotent():
    """Running the seed twice creates nothing new and leaves rows untouched."""
    call_command("seed_catalogue")
    counts = (Technique.objects.count(), Step.objects.count(), Region.objects.count())
    stamps = dict(Technique.objects.values_list("slug", "updated_at"))
    report = catalogue_load(data=catalogue_read())
    assert report.created == []
    assert report.updated == []
    assert (Technique.objects.count(), Step.objects.count(), Region.objects.count()) == counts
    assert dict(Technique.objects.values_list("slug", "updated_at")) == stamps


def test_seed_updates_in_place_rather_than_duplicating():
    """Edited text and steps in the file replace the stored ones without new rows."""
    data = catalogue_read()
    catalogue_load(data=data)
    technique_id = Technique.objects.get(slug="quads-roll").pk
    for item in data["techniques"]:
        if item["slug"] == "quads-roll":
            item["summary"] = "A new summary."
            item["steps"] = ["Only one step now.", "And a second."]
    report = catalogue_load(data=data)
    quads = Technique.objects.get(slug="quads-roll")
    assert report.updated == ["quads-roll"]
    assert quads.pk == technique_id
    assert quads.summary == "A new summary."
    assert list(quads.steps.values_list("text", flat=True)) == [
        "Only one step now.",
        "And a second.",
    ]


def test_seed_keeps_uploads_made_in_the_admin():
    """Re-seeding does not wipe a video uploaded through the admin."""
    call_command("seed_catalogue")
    Technique.objects.filter(slug="psoas-press").update(video="techniques/videos/psoas.mp4")
    call_command("seed_catalogue")
    assert Technique.objects.get(slug="psoas-press").video.name == "techniques/videos/psoas.mp4"
    assert Tool.objects.filter(slug="massage-ball").exists()
