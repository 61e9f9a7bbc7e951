from functools import wraps
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from questions import selectors as question_selectors
from questions.cards import thread_cards
from questions.forms import comment_form_class
from smrsite import pagecache, versions
from smrsite.pagecache import cache_anonymous_page
from techniques import pdf, selectors
from techniques.models import Technique
from techniques.params import id_from
from techniques.video import ranged_file_response


def _technique_scopes(slug):
    """What a technique page shows: the catalogue (its region's list), the technique and
    its thread."""
    return (versions.CATALOGUE, versions.technique_scope(slug), versions.thread_scope(slug))


@cache_anonymous_page(scopes=lambda: (versions.CATALOGUE, versions.QUESTIONS))
def home(request):
    """The front page: what SMR is, how to start, and the regions."""
    regions = selectors.region_list()
    recent_questions = question_selectors.recent_answered_questions()
    return render(
        request,
        "techniques/home.html",
        {"regions": regions, "recent_questions": recent_questions},
    )


@cache_anonymous_page(scopes=lambda: (versions.CATALOGUE,), params=["region"])
def technique_list(request):
    """The catalogue grouped by region, filtered by ``?region=`` and searched by ``?q=``."""
    regions = list(selectors.region_list())
    region_slug = request.GET.get("region", "").strip()
    region = next((r for r in regions if r.slug == region_slug), None)
    if region_slug and region is None:
        raise Http404("No such region.")
    # PostgreSQL refuses NUL characters in a query; nobody searches for one.
    query = request.GET.get("q", "").replace("\x00", "").strip()[: selectors.MAX_QUERY_LENGTH]
    entries = selectors.catalogue_entries(region=region, query=query)
    by_id = {r.pk: r for r in regions}
    groups = [
        (by_id[region_id], list(items))
        for region_id, items in groupby(entries, key=attrgetter("region_id"))
    ]
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


def follows_former_slugs(view):
    """A renamed technique's old addresses answer 301 with its current ones, query kept.

    The old slug is looked up only once the view found nothing, so a current
    address costs nothing more; an unknown slug is still a 404.
    """

    @wraps(view)
    def wrapped(request, slug, **kwargs):
        try:
            return view(request, slug, **kwargs)
        except Http404:
            technique = selectors.technique_by_slug_or_former(
                slug=slug, techniques=Technique.objects.published()
            )
            if technique is None or technique.slug == slug:
                raise
        match = request.resolver_match
        url = reverse(match.view_name, kwargs={**match.kwargs, "slug": technique.slug})
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)

    return wrapped


@follows_former_slugs
@cache_anonymous_page(scopes=_technique_scopes, params=[question_selectors.PAGE_PARAMETER])
def technique_detail(request, slug):
    """One technique, laid out in the order a person needs it.

    Members who see the page alike (not staff, no comment of their own on it, no
    question followed) share one kept copy of it, CSRF token left out.
    """
    reply_to = id_from(request.GET.get("replyto", ""))
    page_number, canonical = _thread_page(request)
    if reply_to is not None and not request.user.is_authenticated:
        _technique_heading(slug)
        return _sign_in_to_reply(request, reply_to, page_number)
    if not canonical:
        _technique_heading(slug)
        return _thread_page_redirect(request, page_number, reply_to)
    reader = _thread_reader(request, slug)
    shared = (
        request.user.is_authenticated
        and reader.key is not None
        and request.GET.keys() <= {question_selectors.PAGE_PARAMETER}
        and not len(messages.get_messages(request))
    )
    if not shared or not pagecache.layer_on("technique-page"):
        return _technique_page(request, slug, reader, page_number)
    pieces = pagecache.cached_value(
        "technique-page",
        (slug, page_number, reader.key),
        lambda: pagecache.csrf_pieces(
            _technique_page(request, slug, reader, page_number, csrf_token=pagecache.CSRF_SLOT)
        ),
        scopes=_technique_scopes(slug),
    )
    return pagecache.with_csrf_token(request, pieces)


def _thread_page(request):
    """The page of the thread ``?comments=`` means, and whether it is written the one way
    the page's own links write it (none for page 1, ``?comments=2`` for page 2).

    A number written otherwise (``02``, ``1``) means its page; anything else the first.
    """
    values = request.GET.getlist(question_selectors.PAGE_PARAMETER)
    if not values:
        return 1, True
    number = id_from(values[-1].lstrip("0")) or 1
    return number, number > 1 and values == [str(number)]


def _thread_page_redirect(request, number, reply_to):
    """Send a ``?comments=`` not written canonically to the page's one address: any value
    a visitor can type costs a redirect, never a page rendered and cached under it."""
    query = {question_selectors.PAGE_PARAMETER: number} if number > 1 else {}
    if reply_to is not None:
        query["replyto"] = reply_to
    anchor = f"#reply-{reply_to}" if reply_to is not None else "#comments"
    return HttpResponsePermanentRedirect(
        f"{request.path}{'?' if query else ''}{urlencode(query)}{anchor}"
    )


def _sign_in_to_reply(request, comment_id, page_number):
    """A visitor's "Sign in to reply": back to the same comment once signed in."""
    query = urlencode({question_selectors.PAGE_PARAMETER: page_number} if page_number > 1 else {})
    back = f"{request.path}?{query}{'&' if query else ''}replyto={comment_id}#reply-{comment_id}"
    return redirect_to_login(back, login_url=reverse("account_login"))


def _technique_heading(slug):
    try:
        return selectors.technique_heading(slug=slug)
    except Technique.DoesNotExist:
        raise Http404("No such technique.") from None


def _thread_reader(request, slug):
    """How the member sees the technique's thread (one query; none for a visitor)."""
    return question_selectors.thread_reader(technique_slug=slug, viewer=request.user)


def _technique_page(request, slug, reader, page_number, *, csrf_token=None):
    try:
        body = selectors.technique_body(slug=slug)
    except Technique.DoesNotExist:
        raise Http404("No such technique.") from None
    technique = body.technique
    context = {
        "technique": technique,
        "body_html": _body_html(request, body),
        "thread_html": _thread_html(request, technique, reader, page_number),
        # Visitors are asked to sign in instead: no form to build.
        "comment_form": (
            comment_form_class(request.user)() if request.user.is_authenticated else None
        ),
    }
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return render(request, "techniques/technique_detail.html", context)


def _body_html(request, body):
    """The instructions: the same for every reader, and kept only as part of the pages
    the page caches keep (a fragment cache of its own did not pay, bench/RESULTS.md)."""
    context = {"technique": body.technique, "body": body, "siblings": body.siblings}
    return render_to_string("techniques/_technique_body.html", context, request)


def _thread_html(request, technique, reader, page_number):
    """The questions and answers as this reader sees them; a page past the last is a 404.

    Not kept on its own: it changes exactly when the page that holds it does, so the
    page caches (anonymous, and shared signed-in) are what keep it.
    """
    reply_to = id_from(request.GET.get("replyto", ""))
    try:
        thread = question_selectors.comment_thread(
            technique=technique,
            viewer=request.user,
            page_number=page_number,
            following=reader.following,
            time_zone=reader.time_zone,
        )
    except question_selectors.PageNotFound:
        raise Http404("No such page of comments.") from None

    def reply_form(node):
        form = comment_form_class(request.user)(
            reply=True, auto_id="reply_%s", initial={"parent": node.id}
        )
        context = {
            "technique": technique,
            "form": form,
            "parent": node.comment,
            "form_id": "reply-form",
            "cancel_comment": node.id,
        }
        return render_to_string("questions/_comment_form.html", context, request)

    cards = thread_cards(thread, reply_to=reply_to, reply_form=reply_form)
    context = {"technique": technique, "thread": thread, "cards": cards}
    return render_to_string("questions/_thread_list.html", context, request)


# --- Downloads: printable PDFs and videos -------------------------------------------------


def _handout_technique(slug):
    try:
        return selectors.technique_handouts().get(slug=slug)
    except Technique.DoesNotExist:
        raise Http404("No such technique.") from None


def _paper_size(request):
    """The ``?size=`` asked for, or a 400 response explaining the choices."""
    try:
        return pdf.page_size_from(request.GET), None
    except pdf.PageSizeError as error:
        return None, pdf.pdf_error_response(
            request, status=400, title="Unknown paper size", message=str(error)
        )


@follows_former_slugs
@require_safe
def technique_pdf(request, slug):
    """The printable handout of one technique (A4, or US Letter with ``?size=letter``)."""
    size, bad_request = _paper_size(request)
    if bad_request:
        return bad_request
    state = selectors.technique_handout_state(slug=slug)
    if state is None:
        raise Http404("No such technique.")
    site_url = request.build_absolute_uri("/")
    # The handout's HTML is only built when its current version is not stored yet.
    return pdf.pdf_response(
        request,
        filename=pdf.download_name(slug, size),
        key=slug,
        version=pdf.handout_version(state, size=size, site_url=site_url),
        document=lambda: pdf.technique_document(
            _handout_technique(slug), size=size, site_url=site_url
        ),
    )


@require_safe
def technique_booklet(request):
    """Every published technique, or one region's (``?region=hip``), in one PDF."""
    size, bad_request = _paper_size(request)
    if bad_request:
        return bad_request
    region = None
    if "region" in request.GET:
        # Exactly a region's slug: an empty, blank or mangled one is not "every region".
        region_slug = request.GET["region"]
        region = selectors.region_list().filter(slug=region_slug.replace("\x00", "")).first()
        if region is None or region.slug != region_slug:
            raise Http404("No such region.")
    techniques = list(selectors.technique_handouts(region=region))
    document = pdf.booklet_document(
        techniques, region=region, size=size, site_url=request.build_absolute_uri("/")
    )
    key = pdf.booklet_key(region)
    return pdf.pdf_response(
        request,
        filename=pdf.download_name(key, size),
        key=key,
        version=document.version,
        document=lambda: document,
    )


@follows_former_slugs
@require_safe
def technique_video(request, slug):
    """The technique's video as a download that players can seek in (HTTP Range)."""
    technique = get_object_or_404(Technique.objects.published(), slug=slug)
    if not pdf.has_video(technique):
        raise Http404("This technique has no video.")
    extension = Path(technique.video.name).suffix.lower() or ".bin"
    return ranged_file_response(request, technique.video, filename=f"{slug}{extension}")
