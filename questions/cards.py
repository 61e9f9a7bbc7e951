"""The comment cards of a thread page, printed from what the selector worked out.

A page shows forty comments. Through a Django template each card cost about 0.13 ms
(some forty tags and lookups, an ``{% include %}`` per card and per reply), a sixth of
the page's build; written out here with each value escaped once, the whole list costs
a small fraction of that. The markup is the one the template had, which the browser
tests (reading order, keyboard, accessibility) read. Everything else on the page, the
thread's heading, its pages and the forms included, stays in templates.
"""

from collections.abc import Callable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from questions.selectors import CommentNode, Thread


def thread_cards(
    thread: Thread,
    *,
    reply_to: int | None = None,
    reply_form: Callable[[CommentNode], str] | None = None,
) -> SafeString:
    """The ``<li>`` of every comment on the page, replies nested in their parents.

    ``reply_form`` gives the HTML of the reply form shown inside comment ``reply_to``
    (a member's "Reply" without JavaScript, ``?replyto=``), if they may reply to it.
    """
    printer = _Printer(thread, reply_to, reply_form)
    for node in thread.nodes:
        printer.card(node)
    return mark_safe("".join(printer.out))


def _button(action: str, label: str, extra: str = "", css: str = "btn-action") -> str:
    return (
        f'<button type="submit" form="comment-actions" formaction="{action}"{extra} '
        f'class="{css}">{label}</button>\n'
    )


class _Printer:
    def __init__(self, thread: Thread, reply_to, reply_form) -> None:
        self.out: list[str] = []
        self.browser_zone = " data-browser-zone" if thread.browser_time_zone else ""
        self.reply_to = reply_to
        self.reply_form = reply_form

    def card(self, node: CommentNode) -> None:
        out = self.out
        c = node.comment
        classes = f"comment depth-{c.depth}"
        if node.author_is_staff:
            classes += " by-staff"
        if node.is_answer:
            classes += " is-answer"
        if node.is_pending:
            classes += " is-pending"
        if node.is_hidden:
            classes += " is-hidden"
        out.append(f'<li id="comment-{c.pk}" class="{classes}">\n')
        if node.is_placeholder:
            out.append('<article class="comment-card" aria-label="Removed comment">\n')
            out.append('<p class="comment-removed">This comment was removed.</p>\n')
        else:
            self.content(node)
        if node.can_reply:
            out.append(f'<div class="reply-slot" data-reply-slot="{c.pk}"></div>\n')
        out.append("</article>\n")
        if node.children:
            out.append('<ol class="comment-children">\n')
            for child in node.children:
                self.card(child)
            out.append("</ol>\n")
        out.append("</li>\n")

    def content(self, node: CommentNode) -> None:
        out = self.out
        c = node.comment
        name = escape(node.author_name)
        out.append(f'<article class="comment-card" aria-label="{c.kind_label} by {name}">\n')
        self.header(node, name)
        if node.is_pending:
            whose = ": only you and our staff can see this for now" if node.is_own else ""
            out.append(f'<p class="comment-status">Awaiting moderation{whose}.</p>\n')
        if node.is_hidden:
            out.append('<p class="comment-status">Hidden from readers by staff.</p>\n')
        if node.is_answer:
            out.append('<p class="answer-label"><span aria-hidden="true">✓</span> The answer</p>\n')
        out.append(f'<div class="comment-body" dir="auto">{node.body_html}</div>\n')
        self.actions(node, name)
        if node.can_moderate:
            self.staff_actions(node)
        if c.pk == self.reply_to and node.can_reply and self.reply_form is not None:
            out.append(
                f'<div class="inline-reply" id="reply-{c.pk}">\n'
                f'<h3 class="reply-title">Reply to {name}</h3>\n{self.reply_form(node)}</div>\n'
            )

    def header(self, node: CommentNode, name: str) -> None:
        out = self.out
        c = node.comment
        posted = node.posted
        out.append(f'<header class="comment-meta">\n<span class="comment-author">{name}</span>\n')
        if node.author_is_staff:
            out.append('<span class="badge badge-staff">Staff</span>\n')
        if c.is_question:
            out.append('<span class="badge badge-kind">Question</span>\n')
        if node.is_answered_question:
            out.append(
                f'<a class="badge badge-answered" href="#comment-{c.answer_id}">Answered</a>\n'
            )
        out.append(
            f'<a class="comment-date" href="#comment-{c.pk}"><time datetime="{posted.iso}" '
            f'title="{escape(posted.exact)}" data-ago{self.browser_zone}>'
            f"{escape(posted.ago)}</time></a>\n"
        )
        if c.edited_at:
            out.append('<span class="comment-edited">(edited)</span>\n')
        out.append("</header>\n")

    def actions(self, node: CommentNode, name: str) -> None:
        out = self.out
        a = node.actions
        pk = node.comment.pk
        out.append('<div class="comment-actions">\n')
        if node.can_reply:
            out.append(
                f'<a class="comment-reply-link" href="{escape(node.reply_url)}" '
                f'data-reply-to="{pk}" data-reply-name="{name}">Reply</a>\n'
            )
        elif node.can_sign_in_to_reply:
            out.append(
                f'<a class="comment-reply-link" href="{escape(node.reply_url)}" '
                'rel="nofollow">Sign in to reply</a>\n'
            )
        if node.can_mark_answer:
            label = "Not the answer" if node.is_answer else "Mark as the answer"
            out.append(_button(a.answer, label))
        if node.can_follow:
            if node.is_followed:
                out.append(_button(a.follow, "Stop following", ' name="follow" value="0"'))
            else:
                out.append(_button(a.follow, "Follow", ' name="follow" value="1"'))
        if node.can_edit:
            out.append(f'<a href="{a.edit}">Edit</a>\n')
        if node.can_delete:
            out.append(f'<a href="{a.delete}">Delete</a>\n')
        if node.can_flag:
            out.append(_button(a.flag, "Flag for staff", css="btn-action btn-quiet"))
        out.append("</div>\n")

    def staff_actions(self, node: CommentNode) -> None:
        out = self.out
        a = node.actions
        out.append(
            '<div class="comment-actions staff-actions" role="group" aria-label="Staff actions">\n'
            '<span class="staff-actions-label">Staff:</span>\n'
        )
        if node.is_pending or node.is_hidden:
            out.append(_button(a.moderate, "Approve", ' name="action" value="approve"'))
        if not node.is_hidden:
            out.append(_button(a.moderate, "Hide", ' name="action" value="hide"'))
        if node.can_add_to_faq:
            out.append(f'<a href="{a.faq}" class="btn-action">Add to FAQ</a>\n')
        out.append("</div>\n")
