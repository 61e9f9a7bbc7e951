"""Writes to the catalogue."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from smrsite import pagecache
from techniques.models import Region, Step, Technique, Tool

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


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def catalogue_read(path: Path = CATALOGUE_FILE) -> dict[str, Any]:
    """Parse the catalogue file shipped with the app."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


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


@transaction.atomic
def catalogue_load(*, data: dict[str, Any]) -> SeedReport:
    """Load regions, tools and techniques, updating rows in place by slug.

    Safe to run again and again: nothing is duplicated, unchanged rows are not
    touched (saving one would bump ``updated_at``, the content version printed
    handouts are cached under), and uploads made in the admin are kept.
    """
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

    items = {item["slug"]: item for item in data.get("techniques", [])}
    existing = {
        t.slug: t
        for t in Technique.objects.filter(slug__in=items)
        .select_related("after", "paired_stretch")
        .prefetch_related("tools", "steps")
    }
    outcomes: dict[str, str] = {}
    techniques: dict[str, Technique] = {}
    new: list[Technique] = []
    for slug, item in items.items():
        values = {name: item.get(name, _default(name)) for name in TECHNIQUE_FIELDS}
        values["region"] = regions[item["region"]]
        values["progression"] = "\n".join(item.get("progression", []))
        technique = existing.get(slug)
        if technique is None:
            technique = Technique(slug=slug, **values)
            new.append(technique)
            outcomes[slug] = "created"
        else:
            outcomes[slug] = "updated" if _set_changed(technique, values) else "unchanged"
        techniques[slug] = technique
    for technique in new:
        _validate(technique, exclude=["after", "paired_stretch"])
    Technique.objects.bulk_create(new)

    # References point at other techniques, so they are set once all exist.
    new_steps: list[Step] = []
    new_tool_links = []
    for slug, item in items.items():
        technique = techniques[slug]
        refs = {
            name: techniques[item[name]] if item.get(name) else None
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
                _validate(technique)
                technique.save(update_fields=["after", "paired_stretch"])
            continue
        if {t.pk for t in technique.tools.all()} != wanted_tools:
            technique.tools.set(wanted_tools)
            steps_changed = True
        steps_changed = _sync_steps(technique, item.get("steps", [])) or steps_changed
        if outcomes[slug] == "updated" or refs_changed or steps_changed:
            _validate(technique)
            technique.save()
            outcomes[slug] = "updated"
    Step.objects.bulk_create(new_steps)
    Technique.tools.through.objects.bulk_create(new_tool_links)

    report = SeedReport()
    for slug, outcome in outcomes.items():
        getattr(report, outcome).append(slug)
    # Regions and tools are not in the report; a re-seed is rare, so drop every page.
    pagecache.content_changed()
    return report


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
