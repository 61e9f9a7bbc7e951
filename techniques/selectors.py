"""Reads of the catalogue."""

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.fields.files import FieldFile

from questions.models import Comment
from smrsite import sql
from smrsite.links import url_maker
from techniques.models import FaqEntry, Region, Step, Technique, Tool

MAX_QUERY_LENGTH = 100
# How alike a mistyped address must be to a technique's slug or name to be suggested.
SUGGESTION_CUTOFF = 0.6


def region_list() -> QuerySet[Region]:
    """Regions in rotation order."""
    return Region.objects.order_by("position", "name")


def technique_suggestions(*, text: str, limit: int = 3) -> list[Technique]:
    """Published techniques whose slug or name is closest to ``text`` ("psoas-pres").

    For the 404 page: one small query and difflib over the names and slugs, so a
    mistyped address costs next to nothing.
    """
    text = text.strip().lower()[:MAX_QUERY_LENGTH]
    if not text:
        return []
    techniques = {t.pk: t for t in Technique.objects.published().only("slug", "name")}
    keys = {}
    for technique in techniques.values():
        keys.setdefault(technique.slug, technique.pk)
        keys.setdefault(technique.name.lower(), technique.pk)
    found = []
    for key in difflib.get_close_matches(text, keys, n=limit * 2, cutoff=SUGGESTION_CUTOFF):
        if keys[key] not in found:
            found.append(keys[key])
    return [techniques[pk] for pk in found[:limit]]


def technique_search(*, region: Region | None = None, query: str = "") -> QuerySet[Technique]:
    """Published techniques, optionally in one region and matching every word of ``query``.

    A word matches a technique's name, target muscles, who it helps or summary.
    """
    techniques = Technique.objects.published()
    if region is not None:
        techniques = techniques.filter(region=region)
    for word in query.split()[:10]:
        techniques = techniques.filter(
            Q(name__icontains=word)
            | Q(target_muscles__icontains=word)
            | Q(indications__icontains=word)
            | Q(summary__icontains=word)
        )
    return techniques.order_by("region__position", "kind", "position", "name")


@dataclass(frozen=True)
class CatalogueEntry:
    """One technique as the catalogue lists it."""

    name: str
    slug: str
    url: str
    is_stretch: bool
    summary: str
    target_muscles: str
    region_id: int
    comment_count: int


def catalogue_entries(*, region: Region | None = None, query: str = "") -> list[CatalogueEntry]:
    """What :func:`technique_search` finds, in its order, with each one's published comments
    counted: two queries, plain rows, whatever the catalogue's size."""
    rows = list(
        technique_search(region=region, query=query).values_list(
            "pk", "name", "slug", "kind", "summary", "target_muscles", "region_id"
        )
    )
    counts = published_comment_counts(technique_ids=[row[0] for row in rows])
    url = url_maker("techniques:detail")
    return [
        CatalogueEntry(
            name=name,
            slug=slug,
            url=url(slug),
            is_stretch=kind == Technique.Kind.STRETCH,
            summary=summary,
            target_muscles=target_muscles,
            region_id=region_id,
            comment_count=counts.get(pk, 0),
        )
        for pk, name, slug, kind, summary, target_muscles, region_id in rows
    ]


def published_comment_counts(*, technique_ids: list[int]) -> dict[int, int]:
    """How many published comments each of these techniques has (absent: none).

    One grouped count over the comments alone: joining them to the techniques and
    grouping by every technique column cost the catalogue most of its time.
    """
    if not technique_ids:
        return {}
    # order_by() drops the comments' default ordering, which would join the GROUP BY.
    return dict(
        Comment.objects.filter(status=Comment.Status.PUBLISHED, technique_id__in=technique_ids)
        .order_by()
        .values_list("technique_id")
        .annotate(count=Count("*"))
    )


def technique_by_slug_or_former(
    *, slug: str, techniques: QuerySet[Technique] | None = None
) -> Technique | None:
    """The technique at ``slug``, or the one that had that slug before a rename; else None.

    One query. ``techniques`` narrows the search (e.g. to published ones); all of them
    by default. No slug is both (the models' validation and the seed refuse it).
    """
    techniques = Technique.objects.all() if techniques is None else techniques
    return techniques.filter(Q(slug=slug) | Q(former_slugs__slug=slug)).first()


def technique_heading(*, slug: str) -> Technique:
    """One published technique with only its name, summary and region: for the pages
    that only name it (a redirect to sign in, a thread page to a canonical address)."""
    return (
        Technique.objects.published()
        .select_related("region")
        .only("name", "slug", "summary", "kind", "region__name", "region__slug")
        .get(slug=slug)
    )


#: The technique's own fields its page body shows, then its region's (chip and icon).
_BODY_FIELDS = tuple(
    f
    for f in Technique._meta.concrete_fields
    if f.name not in {"position", "is_published", "updated_at"}
)
# In the models' field order, the order Model.from_db() takes the values of some fields in.
_BODY_REGION_FIELDS = tuple(
    f for f in Region._meta.concrete_fields if f.name in {"id", "name", "slug", "colour"}
)
# The body is read with SQL written once, that SQLite and PostgreSQL both run: the ORM
# spent 0.4-0.8 ms of CPU building each of these small queries, several times what the
# database took to answer it, and every uncached body reads five of them.
_TECHNIQUE_TABLE = Technique._meta.db_table
_BODY_TECHNIQUE_SQL = f"""
    SELECT {", ".join(f"t.{f.column}" for f in _BODY_FIELDS)},
        {", ".join(f"region.{f.column}" for f in _BODY_REGION_FIELDS)}
    FROM {_TECHNIQUE_TABLE} t JOIN {Region._meta.db_table} region ON region.id = t.region_id
    WHERE t.slug = %s AND t.is_published = %s"""
# The steps, tools and FAQ in one query, each part in its own order: steps by position,
# tools by name, FAQ entries by position then id.
_BODY_PARTS_SQL = f"""
    SELECT 1, position, 0, text, image, image_alt FROM {Step._meta.db_table}
    WHERE technique_id = %(technique)s
    UNION ALL
    SELECT 2, 0, 0, tool.name, NULL, NULL FROM {Tool._meta.db_table} tool
    JOIN {Technique.tools.through._meta.db_table} link ON link.tool_id = tool.id
    WHERE link.technique_id = %(technique)s
    UNION ALL
    SELECT 3, position, id, question, answer, NULL FROM {FaqEntry._meta.db_table}
    WHERE technique_id = %(technique)s
    ORDER BY 1, 2, 3, 4"""
# The techniques the body links to, in one query: the region's published ones, those
# done after this one (from any region), the one it is done after and its paired stretch
# (named even when unpublished, as the handout names them). By name: each list then
# sorts by its own keys, and equal keys keep the database's order of names.
_BODY_LINKED_SQL = f"""
    SELECT t.id, t.name, t.slug, t.kind, t.position, t.after_id, t.region_id,
        region.position, t.is_published
    FROM {_TECHNIQUE_TABLE} t JOIN {Region._meta.db_table} region ON region.id = t.region_id
    WHERE (t.is_published = %s AND (t.region_id = %s OR t.after_id = %s)) OR t.id IN (%s, %s)
    ORDER BY t.name"""


@dataclass(frozen=True)
class TechniqueLink:
    """A link to a technique page, as the page body writes it."""

    name: str
    url: str
    is_stretch: bool = False


@dataclass(frozen=True)
class BodyStep:
    """One numbered instruction; ``image_url`` is "" without a photo."""

    text: str
    image_url: str
    image_alt: str


@dataclass(frozen=True)
class BodyFaq:
    """One asked-and-answered entry."""

    question: str
    answer: str


@dataclass(frozen=True)
class TechniqueBody:
    """Everything a technique page's instructions show, read in three small queries."""

    #: The technique with its region.
    technique: Technique
    after: TechniqueLink | None
    paired_stretch: TechniqueLink | None
    tools: tuple[str, ...]
    steps: tuple[BodyStep, ...]
    faq: tuple[BodyFaq, ...]
    #: Published techniques done after this one, in catalogue order.
    leads_into: tuple[TechniqueLink, ...]
    #: The other published techniques of the region, in rotation order.
    siblings: tuple[TechniqueLink, ...]


def technique_body(*, slug: str) -> TechniqueBody:
    """The instructions of one published technique, in three queries whatever its size;
    its ``technique`` (with its region) also serves the rest of its page.

    Raises ``Technique.DoesNotExist`` when no published technique has that slug.
    """
    technique = _body_technique(slug)
    pk = technique.pk
    url = url_maker("techniques:detail")
    linked = sql.rows(
        _BODY_LINKED_SQL,
        [True, technique.region_id, pk, technique.after_id, technique.paired_stretch_id],
    )
    links, leads_into, siblings = {}, [], []
    for row in linked:
        other, name, slug, kind, position, after_id, region_id, region_position, published = row
        is_stretch = kind == Technique.Kind.STRETCH
        links[other] = link = TechniqueLink(name=name, url=url(slug), is_stretch=is_stretch)
        if not published:
            continue
        # Each list in its former query's order: the model's ordering for the techniques
        # done after this one, rotation order (kind, position) for the region.
        if after_id == pk:
            leads_into.append(((region_position, position), link))
        if region_id == technique.region_id and other != pk:
            siblings.append(((kind, position), link))
    storage = Step._meta.get_field("image").storage
    steps, tools, faq = [], [], []
    for part, _, _, text, more, image_alt in sql.rows(_BODY_PARTS_SQL, {"technique": pk}):
        if part == 1:
            image_url = storage.url(more) if more else ""
            steps.append(BodyStep(text=text, image_url=image_url, image_alt=image_alt))
        elif part == 2:
            tools.append(text)
        else:
            faq.append(BodyFaq(question=text, answer=more))
    return TechniqueBody(
        technique=technique,
        after=links.get(technique.after_id),
        paired_stretch=links.get(technique.paired_stretch_id),
        tools=tuple(tools),
        steps=tuple(steps),
        faq=tuple(faq),
        leads_into=tuple(link for _, link in sorted(leads_into, key=itemgetter(0))),
        siblings=tuple(link for _, link in sorted(siblings, key=itemgetter(0))),
    )


def _body_technique(slug: str) -> Technique:
    """The published technique with its region, as model instances the template, the
    picture and the video check use; the fields not read stay deferred."""
    rows = sql.rows(_BODY_TECHNIQUE_SQL, [slug, True])
    if not rows:
        raise Technique.DoesNotExist(f"No published technique has the slug {slug!r}.")
    own, region = rows[0][: len(_BODY_FIELDS)], rows[0][len(_BODY_FIELDS) :]
    [technique] = sql.instances(Technique, [f.attname for f in _BODY_FIELDS], [own])
    [technique.region] = sql.instances(Region, [f.attname for f in _BODY_REGION_FIELDS], [region])
    return technique


def technique_handouts(*, region: Region | None = None) -> QuerySet[Technique]:
    """Published techniques (of one region, or all) with what a printed handout shows."""
    techniques = Technique.objects.published()
    if region is not None:
        techniques = techniques.filter(region=region)
    # Only the columns a handout prints: the two linked techniques are wide rows.
    return (
        techniques.select_related("region", "after", "paired_stretch")
        .only(*HANDOUT_FIELDS)
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("position")),
            Prefetch("tools", queryset=Tool.objects.only(*TOOL_VALUES)),
            "faq_entries",
        )
        .order_by("region__position", "kind", "position", "name")
    )


# --- What a handout prints, as plain values for its content version ----------------------
#
# A handout's version (techniques.pdf.handout_version) hashes these values, read from
# the database on every download, so no edit goes unnoticed, not even one made with
# QuerySet.update(). When the PDF is rendered the same values are taken from the loaded
# objects instead; both readers use the column lists below and must agree exactly.


def _columns(model: type[models.Model], *, skip: set[str]) -> tuple[str, ...]:
    """Every column of ``model`` but ``skip``: a column added later counts by default."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in skip)


#: The linked rows' columns a handout prints: region chip, icon and summary, the "do it
#: after" note, the paired stretch.
_LINKED_COLUMNS = (
    "region__name",
    "region__slug",
    "region__colour",
    "region__summary",
    "after__name",
    "after__slug",
    "paired_stretch__name",
    "paired_stretch__slug",
)
_NOT_PRINTED = {"why_it_matters", "position", "is_published", "updated_at"}
HANDOUT_FIELDS = (
    *(f.name for f in Technique._meta.concrete_fields if f.name not in _NOT_PRINTED),
    *_LINKED_COLUMNS,
)
HANDOUT_VALUES = (*_columns(Technique, skip=_NOT_PRINTED), *_LINKED_COLUMNS)
STEP_VALUES = _columns(Step, skip={"technique"})
FAQ_VALUES = _columns(FaqEntry, skip={"technique", "source_comment", "created_at"})
TOOL_VALUES = _columns(Tool, skip={"slug", "description"})


@dataclass(frozen=True)
class HandoutState:
    """Every database value a technique's handout prints, and the files it names."""

    #: The technique's row, then its step, FAQ and tool rows in a fixed order.
    values: tuple
    #: Storage names of the images it prints (the photo, the step photos).
    images: tuple[str, ...]
    #: Storage name of the video ("" for none); the handout links it when the file exists.
    video: str


# Built once and only ever filtered (never evaluated themselves): resolving the column
# names is about a third of each query's cost, and every download runs all four.
# Unordered: _handout_state sorts the rows, whose values include what the handout
# orders them by (step and FAQ positions, tool names).
_TECHNIQUE_ROWS = Technique.objects.published().order_by().values_list(*HANDOUT_VALUES)
_STEP_ROWS = Step.objects.order_by().values_list(*STEP_VALUES)
_FAQ_ROWS = FaqEntry.objects.order_by().values_list(*FAQ_VALUES)
_TOOL_ROWS = Tool.objects.order_by().values_list(*TOOL_VALUES)


def technique_handout_state(*, slug: str) -> HandoutState | None:
    """What the handout of a published technique prints, in four small queries; None if none."""
    rows = list(_TECHNIQUE_ROWS.filter(slug=slug))
    if not rows:
        return None
    technique = rows[0]
    pk = technique[HANDOUT_VALUES.index("id")]
    return _handout_state(
        technique,
        steps=_STEP_ROWS.filter(technique_id=pk),
        faq=_FAQ_ROWS.filter(technique_id=pk),
        tools=_TOOL_ROWS.filter(techniques=pk),
    )


def handout_state_of(technique: Technique) -> HandoutState:
    """The same values as :func:`technique_handout_state`, read from a technique loaded
    by :func:`technique_handouts` (no queries)."""
    return _handout_state(
        _attributes(technique, HANDOUT_VALUES),
        steps=[_attributes(step, STEP_VALUES) for step in technique.steps.all()],
        faq=[_attributes(entry, FAQ_VALUES) for entry in technique.faq_entries.all()],
        tools=[_attributes(tool, TOOL_VALUES) for tool in technique.tools.all()],
    )


def _attributes(instance: models.Model, paths: tuple[str, ...]) -> tuple:
    """What ``values_list(*paths)`` gives for ``instance``, read from the object."""
    values = []
    for path in paths:
        value = instance
        for name in path.split("__"):
            value = getattr(value, name) if value is not None else None
        values.append(value.name if isinstance(value, FieldFile) else value)
    return tuple(values)


def _handout_state(
    technique: tuple, *, steps: Iterable[tuple], faq: Iterable[tuple], tools: Iterable[tuple]
) -> HandoutState:
    steps = list(steps)
    rows = [
        *(("step", *row) for row in steps),
        *(("faq", *row) for row in faq),
        *(("tool", *row) for row in tools),
    ]
    rows.sort(key=lambda row: json.dumps(row, default=str))
    step_image = STEP_VALUES.index("image")
    images = [technique[HANDOUT_VALUES.index("image")], *(row[step_image] for row in steps)]
    return HandoutState(
        values=(technique, tuple(rows)),
        images=tuple(image for image in images if image),
        video=technique[HANDOUT_VALUES.index("video")] or "",
    )
