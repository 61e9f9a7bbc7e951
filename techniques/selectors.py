"""Reads of the catalogue."""

from django.db.models import Count, Prefetch, Q, QuerySet

from techniques.models import Comment, Region, Step, Technique, Tool

MAX_QUERY_LENGTH = 100


def region_list() -> QuerySet[Region]:
    """Regions in rotation order."""
    return Region.objects.order_by("position", "name")


def technique_search(*, region: Region | None = None, query: str = "") -> QuerySet[Technique]:
    """Published techniques, optionally in one region and matching every word of ``query``.

    A word matches a technique's name, target muscles, who it helps or summary.
    """
    techniques = (
        Technique.objects.published()
        .select_related("region")
        .annotate(
            comment_count=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED))
        )
    )
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


def technique_heading(*, slug: str) -> Technique:
    """One published technique with only what its page shows outside the cached body.

    The heading, title and comment form need a few fields; the rest of the page comes
    from :func:`technique_detail`, only when its cached HTML is missing.
    """
    return (
        Technique.objects.published()
        .select_related("region")
        .only("name", "slug", "summary", "kind", "region__name", "region__slug")
        .get(slug=slug)
    )


def technique_detail(*, slug: str) -> Technique:
    """One published technique with everything its page shows, in a fixed number of queries."""
    return (
        Technique.objects.published()
        .select_related("region", "after", "paired_stretch")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("position")),
            "tools",
            Prefetch(
                "leads_into",
                queryset=Technique.objects.published().only("name", "slug", "after_id"),
            ),
            "faq_entries",
        )
        .get(slug=slug)
    )


def technique_region_siblings(*, technique: Technique) -> QuerySet[Technique]:
    """The other published techniques of the same region, in rotation order."""
    return (
        Technique.objects.published()
        .filter(region_id=technique.region_id)
        .exclude(pk=technique.pk)
        .only("name", "slug", "kind", "position", "region_id")
        .order_by("kind", "position", "name")
    )


def technique_handouts(*, region: Region | None = None) -> QuerySet[Technique]:
    """Published techniques (of one region, or all) with what a printed handout shows."""
    techniques = Technique.objects.published()
    if region is not None:
        techniques = techniques.filter(region=region)
    # Only the columns a handout prints: a cached download still runs this query to
    # compute the content version, and the two linked techniques are wide rows.
    return (
        techniques.select_related("region", "after", "paired_stretch")
        .only(*HANDOUT_FIELDS)
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("position")),
            Prefetch("tools", queryset=Tool.objects.only("name")),
            "faq_entries",
        )
        .order_by("region__position", "kind", "position", "name")
    )


HANDOUT_FIELDS = (
    *(
        f.name
        for f in Technique._meta.concrete_fields
        if f.name not in {"why_it_matters", "position", "is_published", "updated_at"}
    ),
    "region__name",
    "region__slug",
    "region__colour",
    "region__summary",
    "after__name",
    "after__slug",
    "paired_stretch__name",
    "paired_stretch__slug",
)
