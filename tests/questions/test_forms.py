"""The comment form's hand-written fields give what crispy-forms gives the same form."""

import re

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from questions.forms import CommentForm, NamedCommentForm

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
OURS = Template('{% include "questions/_comment_fields.html" %}')
# crispy writes the layout's class on each radio a second time; browsers keep the first.
DOUBLED_CLASS = re.compile(
    r'(<input type="radio" class="form-check-input"[^>]*?)\s+class="kind-choice"'
)


def _posted_too_often() -> CommentForm:
    """As questions.views says a member posted too often: an error of the whole form."""
    form = CommentForm({"body": "Too soon?"})
    form.is_valid()
    form.add_error(None, "You posted <5> comments in the last minute.")
    return form


SPAM = {"body": "x", "kind": "remark", "website": "spam", "follow": "on", "parent": "12"}


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda: CommentForm(), id="blank"),
        pytest.param(lambda: CommentForm(SPAM), id="errors"),
        pytest.param(lambda: CommentForm({"body": "Is twice a day too much?"}), id="valid"),
        pytest.param(
            lambda: CommentForm(reply=True, auto_id="reply_%s", initial={"parent": 5}), id="reply"
        ),
        pytest.param(lambda: NamedCommentForm({"body": "Long enough."}), id="staff-unnamed"),
        pytest.param(lambda: NamedCommentForm({"display_name": "Coach <Sam>"}), id="staff-named"),
        pytest.param(lambda: _posted_too_often(), id="form-error"),
    ],
)
def test_the_fields_match_crispys_markup(form):
    form = form()
    if form.is_bound:
        form.is_valid()
    context = Context({"form": form})
    theirs = DOUBLED_CLASS.sub(r"\1", CRISPY.render(context))
    assert parse_html(OURS.render(context)) == parse_html(theirs)
