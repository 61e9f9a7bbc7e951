"""Writes to the catalogue."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

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


def _upsert(
    model: type[Model], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[Model, str]:
    """Create or update one row, saving only when something differs.

    Saving an unchanged technique would bump ``updated_at`` and with it the content
    version that printed handouts are cached under.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        return obj, "updated"
    return obj, "unchanged"


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


@transaction.atomic
def catalogue_load(*, data: dict[str, Any]) -> SeedReport:
    """Load regions, tools and techniques, updating rows in place by slug.

    Safe to run again and again: nothing is duplicated, unchanged rows are not
    touched, and uploads made in the admin (images, videos) are kept.
    """
    report = SeedReport()
    for item in data.get("tools", []):
        _upsert(
            Tool,
            {"slug": item["slug"]},
            {"name": item["name"], "description": item.get("description", "")},
        )
    for item in data.get("regions", []):
        _upsert(
            Region,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "position": item["position"],
                "colour": item["colour"],
                "summary": item.get("summary", ""),
            },
        )
    regions = {r.slug: r for r in Region.objects.all()}
    tools = {t.slug: t for t in Tool.objects.all()}

    techniques: dict[str, Technique] = {}
    outcomes: dict[str, str] = {}
    for item in data.get("techniques", []):
        values = {name: item.get(name, _default(name)) for name in TECHNIQUE_FIELDS}
        values["region"] = regions[item["region"]]
        values["progression"] = "\n".join(item.get("progression", []))
        technique, outcome = _upsert(Technique, {"slug": item["slug"]}, values)
        techniques[item["slug"]] = technique
        outcomes[item["slug"]] = outcome

    # References point at other techniques, so they are set once all exist.
    for item in data.get("techniques", []):
        technique = techniques[item["slug"]]
        changed = False
        for name in ("after", "paired_stretch"):
            target = techniques[item[name]] if item.get(name) else None
            if getattr(technique, name) != target:
                setattr(technique, name, target)
                changed = True
        wanted_tools = {tools[slug] for slug in item.get("tools", [])}
        if set(technique.tools.all()) != wanted_tools:
            technique.tools.set(wanted_tools)
            changed = True
        changed = _sync_steps(technique, item.get("steps", [])) or changed
        if changed:
            technique.full_clean()
            technique.save()
            if outcomes[item["slug"]] == "unchanged":
                outcomes[item["slug"]] = "updated"

    for slug, outcome in outcomes.items():
        getattr(report, outcome).append(slug)
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
