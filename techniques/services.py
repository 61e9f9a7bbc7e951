"""Writes to the catalogue."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model, Q

from smrsite import versions
from techniques import illustrations
from techniques.models import PICTURE_FIELDS, FormerSlug, Region, Step, Technique, Tool

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue.toml"

TECHNIQUE_FIELDS = (
    "name",
    "kind",
    "series",
    "position",
    "target_muscles",
    "summary",
    "why_it_matters",
    "indications",
    "pressure",
    "cautions",
    "duration_seconds",
    "per_side",
    "min_frequency_days",
    "pairing_advice",
    "target_minutes",
)


FORMER_SLUG_TWICE_ERROR = "“{slug}” is listed twice: as a slug or former slug of two techniques."
TWO_ROWS_ERROR = "“{slug}” matches two techniques in the database: {names}."
ONE_ROW_TWICE_ERROR = "“{first}” and “{second}” both match {name} in the database."
#: A technique's ``picture`` table in the catalogue, and the model field each key fills.
PICTURE_KEYS = dict(zip(("pose", "tool", "contact", "direction"), PICTURE_FIELDS, strict=True))
PICTURE_MISSING_ERROR = (
    "{slug}: no picture; give it one, e.g. "
    'picture = {{ pose = "face-down", tool = "ball", contact = "belly", direction = "press" }}'
)
PICTURE_KEYS_ERROR = "{slug}: a picture needs exactly these keys: pose, tool, contact, direction"
PICTURE_ERROR = "{slug}: the picture cannot be drawn: {problem}"


class CatalogueError(ValueError):
    """The catalogue contradicts itself or the database, or names a picture that cannot be
    drawn; nothing was loaded."""


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Techniques that moved to a new slug: old slug → new slug.
    renamed: dict[str, str] = field(default_factory=dict)


def catalogue_read(path: Path = CATALOGUE_FILE) -> dict[str, Any]:
    """Parse the catalogue file shipped with the app."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _picture_values(item: dict[str, Any]) -> dict[str, str]:
    """A technique's picture as model field values, or :class:`CatalogueError` saying why not."""
    slug = item["slug"]
    picture = item.get("picture")
    if picture is None:
        raise CatalogueError(PICTURE_MISSING_ERROR.format(slug=slug))
    if not isinstance(picture, dict) or set(picture) != set(PICTURE_KEYS):
        raise CatalogueError(PICTURE_KEYS_ERROR.format(slug=slug))
    problem = illustrations.problem(**{key: str(value) for key, value in picture.items()})
    if problem is not None:
        raise CatalogueError(PICTURE_ERROR.format(slug=slug, problem=problem))
    return {field: picture[key] for key, field in PICTURE_KEYS.items()}


def _set_changed(obj: Model, values: dict[str, Any]) -> bool:
    """Copy ``values`` onto ``obj``; say whether anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _sync_steps(technique: Technique, texts: list[str]) -> bool:
    existing = {step.position: step for step in technique.steps.all()}
    changed = False
    for position, text in enumerate(texts, start=1):
        step = existing.pop(position, None)
        if step is None:
            Step.objects.create(technique=technique, position=position, text=text)
            changed = True
        elif step.text != text:
            step.text = text
            step.save(update_fields=["text"])
            changed = True
    if existing:
        Step.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
        changed = True
    return changed


# Validating a foreign key reads its row; the seed's links are rows it loaded or created
# itself. clean() still walks the "do this after" chain through the objects in hand.
LOADED_LINKS = ["region", "after", "paired_stretch"]


def _validate(obj: Model, **kwargs: Any) -> None:
    # Uniqueness and check constraints are enforced by the database when the rows are
    # written; validating them here too would cost several queries per row.
    obj.full_clean(validate_unique=False, validate_constraints=False, **kwargs)


def _upsert_all(model: type[Model], rows: dict[str, dict[str, Any]]) -> dict[str, Model]:
    """Create or update rows of ``model`` keyed by slug, saving only what differs."""
    existing = model.objects.in_bulk(list(rows), field_name="slug")
    new = []
    for slug, values in rows.items():
        obj = existing.get(slug)
        if obj is None:
            obj = model(slug=slug, **values)
            _validate(obj)
            new.append(obj)
        elif _set_changed(obj, values):
            _validate(obj)
            obj.save()
    model.objects.bulk_create(new)
    return model.objects.in_bulk(list(rows), field_name="slug")


def former_slug_keep(*, technique: Technique, slug: str) -> FormerSlug:
    """Keep ``slug``, an address ``technique`` had, leading to it after a rename."""
    former = FormerSlug.objects.filter(slug=slug).first() or FormerSlug(slug=slug)
    former.technique = technique
    former.full_clean()
    former.save()
    return former


@transaction.atomic
def catalogue_load(*, data: dict[str, Any]) -> SeedReport:
    """Load regions, tools and techniques, updating rows in place by slug.

    Safe to run again and again: nothing is duplicated, unchanged rows are not
    touched (saving one would bump ``updated_at``, the content version printed
    handouts are cached under), and uploads made in the admin are kept. A technique
    whose ``former_slugs`` name an existing row is renamed in place, so everything
    that points at it (logs, comments, routines) follows; every slug a technique
    leaves keeps leading to it as a :class:`~techniques.models.FormerSlug`.
    Raises :class:`CatalogueError` when slugs contradict each other, and before
    writing anything when a technique has no picture or one that names an unknown
    pose, tool, contact point or direction or cannot be drawn.
    """
    items = {item["slug"]: item for item in data.get("techniques", [])}
    pictures = {slug: _picture_values(item) for slug, item in items.items()}
    tools = _upsert_all(
        Tool,
        {
            t["slug"]: {"name": t["name"], "description": t.get("description", "")}
            for t in data.get("tools", [])
        },
    )
    regions = _upsert_all(
        Region,
        {
            r["slug"]: {
                "name": r["name"],
                "position": r["position"],
                "colour": r["colour"],
                "summary": r.get("summary", ""),
            }
            for r in data.get("regions", [])
        },
    )

    moves = _former_slugs(items)
    former_rows = {row.slug: row for row in FormerSlug.objects.filter(slug__in=[*items, *moves])}
    existing = _existing_techniques(items, former_rows)
    report = SeedReport()
    outcomes: dict[str, str] = {}
    techniques: dict[str, Technique] = {}
    new: list[Technique] = []
    for slug, item in items.items():
        values = {name: item.get(name, _default(name)) for name in TECHNIQUE_FIELDS}
        values["slug"] = slug
        values["region"] = regions[item["region"]]
        values["progression"] = "\n".join(item.get("progression", []))
        values.update(pictures[slug])
        technique = existing.get(slug)
        if technique is None:
            technique = Technique(**values)
            new.append(technique)
            outcomes[slug] = "created"
        else:
            if technique.slug != slug:
                report.renamed[technique.slug] = slug
            outcomes[slug] = "updated" if _set_changed(technique, values) else "unchanged"
        techniques[slug] = technique
    for technique in new:
        _validate(technique, exclude=LOADED_LINKS)
    Technique.objects.bulk_create(new)

    # References point at other techniques, so they are set once all exist. They
    # may still name a technique by a former slug.
    new_steps: list[Step] = []
    new_tool_links = []
    linked: list[Technique] = []
    for slug, item in items.items():
        technique = techniques[slug]
        refs = {
            name: techniques[moves.get(item[name], item[name])] if item.get(name) else None
            for name in ("after", "paired_stretch")
        }
        refs_changed = _set_changed(technique, refs)
        wanted_tools = {tools[t].pk for t in item.get("tools", [])}
        steps_changed = False
        if outcomes[slug] == "created":
            new_tool_links += [
                Technique.tools.through(technique_id=technique.pk, tool_id=pk)
                for pk in wanted_tools
            ]
            new_steps += [
                Step(technique=technique, position=n, text=text)
                for n, text in enumerate(item.get("steps", []), start=1)
            ]
            if refs_changed:
                linked.append(technique)
            continue
        if {t.pk for t in technique.tools.all()} != wanted_tools:
            technique.tools.set(wanted_tools)
            steps_changed = True
        steps_changed = _sync_steps(technique, item.get("steps", [])) or steps_changed
        if outcomes[slug] == "updated" or refs_changed or steps_changed:
            _validate(technique, exclude=LOADED_LINKS)
            technique.save()
            outcomes[slug] = "updated"
    for technique in linked:
        _validate(technique, exclude=LOADED_LINKS)
    Technique.objects.bulk_update(linked, ["after", "paired_stretch"])
    Step.objects.bulk_create(new_steps)
    Technique.tools.through.objects.bulk_create(new_tool_links)
    moves.update(report.renamed)
    _sync_former_slugs(
        {old: techniques[slug] for old, slug in moves.items()},
        rows=former_rows,
        current=set(items),
    )

    for slug, outcome in outcomes.items():
        getattr(report, outcome).append(slug)
    # Bulk writes send no model signals: this one says the catalogue changed.
    versions.catalogue_loaded.send(sender=Technique, slugs=[*techniques, *moves])
    return report


def _former_slugs(items: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each former slug the catalogue lists, mapped to the technique's slug now."""
    moves: dict[str, str] = {}
    for slug, item in items.items():
        for old in item.get("former_slugs", []):
            if old in items or old in moves:
                raise CatalogueError(FORMER_SLUG_TWICE_ERROR.format(slug=old))
            moves[old] = slug
    return moves


def _existing_techniques(
    items: dict[str, dict[str, Any]], former_rows: dict[str, FormerSlug]
) -> dict[str, Technique]:
    """The stored technique of each catalogue slug: found by that slug, by one of its
    ``former_slugs``, or by a former slug recorded in the database (a rename made in
    the admin, which the catalogue then reverts like any other edit)."""
    addresses = {slug: [slug, *item.get("former_slugs", [])] for slug, item in items.items()}
    rows = list(
        Technique.objects.filter(
            Q(slug__in=[a for known in addresses.values() for a in known])
            | Q(pk__in=[row.technique_id for row in former_rows.values()])
        )
        .select_related("region", "after", "paired_stretch")
        .prefetch_related("tools", "steps")
    )
    by_slug = {t.slug: t for t in rows}
    by_pk = {t.pk: t for t in rows}
    found: dict[str, Technique] = {}
    claimed: dict[int, str] = {}
    for slug, known in addresses.items():
        matches = {}
        for address in known:
            row = former_rows.get(address)
            for technique in (by_slug.get(address), row and by_pk[row.technique_id]):
                if technique is not None:
                    matches[technique.pk] = technique
        if len(matches) > 1:
            names = " and ".join(sorted(t.name for t in matches.values()))
            raise CatalogueError(TWO_ROWS_ERROR.format(slug=slug, names=names))
        for technique in matches.values():
            if technique.pk in claimed:
                raise CatalogueError(
                    ONE_ROW_TWICE_ERROR.format(
                        first=claimed[technique.pk], second=slug, name=technique.name
                    )
                )
            claimed[technique.pk] = slug
            found[slug] = technique
    return found


def _sync_former_slugs(
    wanted: dict[str, Technique], *, rows: dict[str, FormerSlug], current: set[str]
) -> None:
    """Make each slug of ``wanted`` lead to its technique, and drop the rows of slugs
    that are ``current`` again. ``rows`` holds the stored rows of all those slugs."""
    stale = [row.pk for slug, row in rows.items() if slug in current]
    if stale:
        FormerSlug.objects.filter(pk__in=stale).delete()
    new, moved = [], []
    for slug, technique in wanted.items():
        row = rows.get(slug)
        if row is None:
            row = FormerSlug(slug=slug, technique=technique)
            new.append(row)
        elif row.technique_id != technique.pk:
            row.technique = technique
            moved.append(row)
        else:
            continue
        _validate(row, exclude=["technique"])  # loaded or created above
    FormerSlug.objects.bulk_create(new)
    FormerSlug.objects.bulk_update(moved, ["technique"])


def _default(name: str) -> Any:
    defaults = {
        "kind": Technique.Kind.RELEASE,
        "duration_seconds": 90,
        "per_side": True,
        "min_frequency_days": 14,
        "target_minutes": None,
        "position": 1,
    }
    return defaults.get(name, "")
