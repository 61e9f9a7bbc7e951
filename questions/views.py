"""Views of the question-and-answer threads. Each hands over to a service or a selector."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from members.services import profile_for, profile_update
from questions import emails, selectors, services
from questions.forms import CommentEditForm, FaqEntryForm, comment_form_class
from questions.models import Comment
from techniques.models import Technique
from techniques.params import id_from

POSTED = "Thanks, your comment is up."
POSTED_PENDING = (
    "Thanks! Your first comment waits for a moderator to approve it; until then only you "
    "and our staff can see it."
)
EDITED = "Your comment is updated."
DELETED = "Your comment is deleted."
APPROVED = "Comment approved."
HIDDEN = "Comment hidden from readers."
ANSWER_MARKED = "Marked as the answer."
ANSWER_UNMARKED = "No longer marked as the answer."
FLAGGED = "Thanks, a member of staff will take a look."
FLAGS_RESOLVED = "Flags cleared."
FOLLOWING = "You will get an email when someone replies in this thread."
NOT_FOLLOWING = "You will not get emails about this thread."
FAQ_ADDED = "Added to the technique’s FAQ and its printed handout."
ALREADY_POSTED = "Already posted: you sent this a moment ago, so it is up once, not twice."


def _comment_or_404(pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("technique", "author", "parent", "root"),
        pk=pk,
        technique__is_published=True,
    )


def _back_to(comment: Comment) -> HttpResponseRedirect:
    return redirect(comment.get_absolute_url())


def _staff_or_404(request) -> None:
    if not request.user.is_staff:
        raise Http404("No such page.")


def comment_permalink(request, pk):
    """A comment's permanent address: the technique page, on the right page of the thread."""
    comment = _comment_or_404(pk)
    if not selectors.comment_visible_to(comment=comment, viewer=request.user):
        raise Http404("No such comment.")
    page = selectors.comment_page_number(comment=comment, viewer=request.user)
    query = f"?{selectors.PAGE_PARAMETER}={page}" if page > 1 else ""
    return redirect(f"{comment.technique.get_absolute_url()}{query}#comment-{comment.pk}")


@login_required
@require_POST
def comment_create(request, slug):
    """Post a question, remark or reply; invalid input comes back with the text kept."""
    technique = get_object_or_404(Technique.objects.published(), slug=slug)
    form = comment_form_class(request.user)(request.POST)
    parent = None
    if form.is_valid():
        parent_id = form.cleaned_data["parent"]
        if parent_id:
            parent = get_object_or_404(Comment, pk=parent_id, technique=technique)
        try:
            comment = services.comment_create(
                technique=technique,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                kind=form.cleaned_data["kind"] or Comment.Kind.QUESTION,
                follow=form.cleaned_data["follow"],
                display_name=form.cleaned_data.get("display_name", ""),
            )
        except services.AlreadyPosted as posted:
            link = format_html('<a href="{}">See it</a>.', posted.comment.get_absolute_url())
            messages.info(request, format_html("{} {}", ALREADY_POSTED, link))
            return _back_to(posted.comment)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            pending = comment.status == Comment.Status.PENDING
            messages.success(request, POSTED_PENDING if pending else POSTED)
            return _back_to(comment)
    elif parent_id := id_from(form.data.get("parent")):
        parent = Comment.objects.filter(pk=parent_id, technique=technique).first()
    return render(
        request,
        "questions/comment_form_page.html",
        {"technique": technique, "form": form, "parent": parent},
    )


@login_required
def comment_edit(request, pk):
    """The author changes their text, within 15 minutes of posting."""
    comment = get_object_or_404(
        Comment.objects.select_related("technique"), pk=pk, author=request.user
    )
    if not services.comment_can_edit(comment, request.user, timezone.now()):
        raise PermissionDenied(services.EDIT_WINDOW_CLOSED)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment, editor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, EDITED)
            return _back_to(comment)
    return render(request, "questions/comment_edit.html", {"comment": comment, "form": form})


@login_required
def comment_delete(request, pk):
    """Ask, then delete (the author, or staff); others get a 404."""
    comment = _comment_or_404(pk)
    if not services.comment_can_delete(comment, request.user):
        raise Http404("No such comment.")
    if request.method == "POST":
        technique = comment.technique
        parent = comment.parent
        services.comment_delete(comment=comment, by=request.user)
        messages.success(request, DELETED)
        if parent is not None and Comment.objects.filter(pk=parent.pk).exists():
            return _back_to(parent)
        return redirect(f"{technique.get_absolute_url()}#comments")
    return render(request, "questions/comment_confirm_delete.html", {"comment": comment})


@login_required
@require_POST
def comment_moderate(request, pk):
    """Staff approve or hide a comment from the page."""
    _staff_or_404(request)
    comment = _comment_or_404(pk)
    action = request.POST.get("action")
    if action == "approve":
        services.comment_approve(comment=comment, by=request.user)
        messages.success(request, APPROVED)
    elif action == "hide":
        services.comment_hide(comment=comment, by=request.user)
        messages.success(request, HIDDEN)
    elif action == "resolve-flags":
        services.comment_flags_resolve(comment=comment, by=request.user)
        messages.success(request, FLAGS_RESOLVED)
    else:
        raise Http404("Unknown action.")
    if request.POST.get("next") == "queue":
        return redirect("techniques:comment_queue")
    return _back_to(comment)


@login_required
@require_POST
def comment_mark_answer(request, pk):
    """The asker or staff pick this reply as the answer to its question (or un-pick it)."""
    reply = _comment_or_404(pk)
    try:
        question = services.comment_mark_answer(reply=reply, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _back_to(reply)
    messages.success(request, ANSWER_MARKED if question.answer_id else ANSWER_UNMARKED)
    return _back_to(reply)


@login_required
@require_POST
def comment_flag(request, pk):
    """A member asks staff to look at a comment."""
    comment = _comment_or_404(pk)
    try:
        services.comment_flag(
            # PostgreSQL cannot store NUL characters; a free-text POST field may carry them.
            comment=comment,
            member=request.user,
            reason=request.POST.get("reason", "").replace("\x00", ""),
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, FLAGGED)
    return _back_to(comment)


@login_required
@require_POST
def thread_follow(request, pk):
    """Follow a question's thread, or stop following it."""
    comment = _comment_or_404(pk)
    following = request.POST.get("follow") == "1"
    services.thread_follow(thread_id=comment.thread_id, member=request.user, following=following)
    messages.success(request, FOLLOWING if following else NOT_FOLLOWING)
    return _back_to(comment)


@login_required
def faq_promote(request, pk):
    """Staff put a question and this answer into the technique's FAQ, in their own words."""
    _staff_or_404(request)
    reply = _comment_or_404(pk)
    if not services.faq_promotable(reply):
        raise Http404("Only a published answer to a question goes into the FAQ.")
    initial = {"question": reply.root.body, "answer": reply.body}
    form = FaqEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.faq_promote(reply=reply, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, FAQ_ADDED)
            return redirect(f"{reply.technique.get_absolute_url()}#faq-heading")
    return render(request, "questions/faqentry_form.html", {"reply": reply, "form": form})


@login_required
def comment_queue(request):
    """Staff only: unanswered questions oldest first, comments waiting, flagged comments."""
    _staff_or_404(request)
    queue = selectors.comment_queue(viewer=request.user)
    return render(request, "questions/comment_queue.html", {"queue": queue})


# Mail programs send RFC 8058 one-click unsubscribes as a POST without our CSRF token.
# The signed token in the URL is the proof here, and the worst a forged request can do
# is stop emails for the person the token was made for, so the view skips the CSRF
# check; it changes nothing on GET, which only shows a confirm button.
@csrf_exempt
def comment_unsubscribe(request, token):
    """Stop emails about one thread (or, for staff, about new questions), no sign-in needed."""
    try:
        data = emails.unsubscribe_read(token)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    thread = None
    if data["s"] == emails.SCOPE_THREAD:
        thread = get_object_or_404(Comment.objects.select_related("technique"), pk=data["t"])
    done = False
    if request.method == "POST":
        user = get_object_or_404(get_user_model(), pk=data["u"])
        if thread is not None:
            services.thread_follow(thread_id=thread.pk, member=user, following=False)
        else:
            profile_update(profile=profile_for(user), notify_new_questions=False)
        done = True
    return render(
        request,
        "questions/unsubscribe.html",
        {
            "thread": thread,
            "done": done,
            "action": reverse("techniques:comment_unsubscribe", args=[token]),
        },
    )
