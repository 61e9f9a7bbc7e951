from itertools import groupby

from django.http import Http404
from django.shortcuts import render

from techniques import selectors
from techniques.models import Technique


def home(request):
    """The front page: what SMR is, how to start, and the regions."""
    regions = selectors.region_list()
    return render(request, "techniques/home.html", {"regions": regions})


def technique_list(request):
    """The catalogue grouped by region, filtered by ``?region=`` and searched by ``?q=``."""
    regions = list(selectors.region_list())
    region_slug = request.GET.get("region", "").strip()
    region = next((r for r in regions if r.slug == region_slug), None)
    if region_slug and region is None:
        raise Http404("No such region.")
    query = request.GET.get("q", "").strip()[: selectors.MAX_QUERY_LENGTH]
    techniques = selectors.technique_search(region=region, query=query)
    groups = [(r, list(items)) for r, items in groupby(techniques, key=lambda t: t.region)]
    return render(
        request,
        "techniques/technique_list.html",
        {
            "regions": regions,
            "region": region,
            "query": query,
            "groups": groups,
            "count": sum(len(items) for _, items in groups),
        },
    )


def technique_detail(request, slug):
    """One technique, laid out in the order a person needs it."""
    try:
        technique = selectors.technique_detail(slug=slug)
    except Technique.DoesNotExist:
        raise Http404("No such technique.") from None
    siblings = selectors.technique_region_siblings(technique=technique)
    return render(
        request,
        "techniques/technique_detail.html",
        {"technique": technique, "siblings": siblings},
    )
