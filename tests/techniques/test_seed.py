import copy

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from questions.models import Comment
from routines.models import LogEntry
from techniques.models import RESERVED_SLUGS, FormerSlug, Region, Step, Technique, Tool
from techniques.services import CatalogueError, catalogue_load, catalogue_read
from tests.factories import CommentFactory, LogEntryFactory, RoutineFactory, UserFactory

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


def test_every_technique_slug_is_its_name_slugified():
    """A technique's address reads like its title, and no slug takes another page's path."""
    techniques = catalogue_read()["techniques"]
    assert [t["slug"] for t in techniques] == [slugify(t["name"]) for t in techniques]
    former = [old for t in techniques for old in t.get("former_slugs", [])]
    assert len(set(former)) == len(former)
    assert not (set(former) | {t["slug"] for t in techniques}) & RESERVED_SLUGS


def _before_slugs_followed_names(data):
    """The catalogue as it was shipped before: each renamed technique under its old slug."""
    data = copy.deepcopy(data)
    old = {
        item["slug"]: item.pop("former_slugs")[0]
        for item in data["techniques"]
        if "former_slugs" in item
    }
    for item in data["techniques"]:
        for key in ("slug", "after", "paired_stretch"):
            if item.get(key):
                item[key] = old.get(item[key], item[key])
    return data


def test_reseeding_an_old_database_renames_techniques_in_place():
    """Comments, log entries and routine choices stay on the same technique, now at its new slug."""
    data = catalogue_read()
    catalogue_load(data=_before_slugs_followed_names(data))
    tfl = Technique.objects.get(slug="tfl-ball")
    upper_back = Technique.objects.get(slug="thoracic-roll")
    member = UserFactory()
    comment = CommentFactory(technique=tfl)
    log = LogEntryFactory(member=member, technique=Technique.objects.get(slug="glute-medius-ball"))
    routine = RoutineFactory(member=member)
    routine.excluded_techniques.add(upper_back)
    routine.pinned_techniques.add(tfl)
    counts = (Technique.objects.count(), Step.objects.count())

    report = catalogue_load(data=data)

    assert report.renamed["tfl-ball"] == "tfl-ball-press"
    assert len(report.renamed) == 30
    assert report.created == []
    assert (Technique.objects.count(), Step.objects.count()) == counts
    assert Technique.objects.get(pk=tfl.pk).slug == "tfl-ball-press"
    assert Comment.objects.get(pk=comment.pk).technique.slug == "tfl-ball-press"
    assert LogEntry.objects.get(pk=log.pk).technique.slug == "side-hip-ball-press"
    assert [t.slug for t in routine.excluded_techniques.all()] == ["upper-back-roll"]
    assert [t.slug for t in routine.pinned_techniques.all()] == ["tfl-ball-press"]
    peanut = Technique.objects.get(slug="peanut-ball-upper-back-roll")
    assert peanut.after == upper_back
    assert FormerSlug.objects.get(slug="tfl-ball").technique_id == tfl.pk
    assert FormerSlug.objects.count() == 30

    again = catalogue_load(data=data)
    assert (again.created, again.updated, again.renamed) == ([], [], {})


def test_a_fresh_database_keeps_the_old_slugs_as_former_slugs():
    """Links published before the rename lead to the technique even on a new server."""
    call_command("seed_catalogue")
    assert FormerSlug.objects.get(slug="glute-medius-ball").technique.slug == "side-hip-ball-press"


def test_a_rename_made_in_the_admin_is_reverted_by_the_seed_and_kept_as_an_old_address():
    """The catalogue file wins, and the slug the admin gave keeps leading to the technique."""
    call_command("seed_catalogue")
    quads = Technique.objects.get(slug="quads-roll")
    quads.slug = "thigh-front-roll"
    quads.save()
    FormerSlug.objects.create(slug="quads-roll", technique=quads)

    report = catalogue_load(data=catalogue_read())

    assert report.renamed == {"thigh-front-roll": "quads-roll"}
    assert Technique.objects.get(pk=quads.pk).slug == "quads-roll"
    assert set(quads.former_slugs.values_list("slug", flat=True)) == {"thigh-front-roll"}


def test_a_former_slug_that_is_also_a_current_slug_is_refused():
    """The catalogue cannot list a slug both as one technique's address and another's old one."""
    data = catalogue_read()
    data["techniques"][0]["former_slugs"] = ["psoas-press"]
    with pytest.raises(CatalogueError, match="psoas-press"):
        catalogue_load(data=data)


def test_the_command_names_two_rows_that_one_technique_would_merge():
    """A former slug and a slug that are separate techniques in the database stop the seed."""
    data = _before_slugs_followed_names(catalogue_read())
    catalogue_load(data=data)
    tfl = next(item for item in data["techniques"] if item["slug"] == "tfl-ball")
    copied = {**tfl, "slug": "tfl-ball-press", "name": "Copy"}
    catalogue_load(data={**data, "techniques": [copied]})
    with pytest.raises(CommandError, match="Copy and TFL Ball Press"):
        call_command("seed_catalogue")
    assert not FormerSlug.objects.exists()


def _seed_queries(data):
    with CaptureQueriesContext(connection) as captured:
        catalogue_load(data=data)
    return len(captured)


def test_seeding_costs_a_few_queries_however_many_techniques():
    """Loading and re-loading work in bulk: one technique costs as many queries as all."""
    data = catalogue_read()
    one = {**data, "techniques": [t for t in data["techniques"] if t["slug"] == "quads-roll"]}
    first_one, again_one = _seed_queries(one), _seed_queries(one)
    Technique.objects.all().delete()
    first_all, again_all = _seed_queries(data), _seed_queries(data)
    # SQLite takes at most 999 values a statement, so inserting many wide rows is split
    # into batches: the only growth allowed.
    columns = [f for f in Technique._meta.concrete_fields if not f.primary_key]
    rows = data["techniques"]
    batches = -(-len(rows) // connection.ops.bulk_batch_size(columns, rows))
    assert (first_all, again_all) == (first_one + batches - 1, again_one)
    assert first_all <= 16
    assert again_all <= 10
