from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms

from members.models import DISPLAY_NAME_MAX_LENGTH, Profile
from questions.models import Comment
from questions.services import BODY_MAX_LENGTH, BODY_TOO_SHORT, comment_body_validate

HONEYPOT_REJECTED = (
    "Sorry, we could not accept this comment. If you are a person, leave the field "
    "labelled “Leave this empty” empty and send it again."
)


class CommentForm(forms.Form):
    """A new question or remark, or a reply when ``parent`` is set."""

    kind = forms.ChoiceField(
        label="This is a",
        choices=[(Comment.Kind.QUESTION, "Question"), (Comment.Kind.REMARK, "Remark")],
        initial=Comment.Kind.QUESTION,
        required=False,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label="Your comment",
        strip=True,
        # A little room over the limit so the message says how long it is, not the browser.
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": BODY_MAX_LENGTH + 500}),
        help_text="Plain text. Leave an empty line between paragraphs; links work.",
        error_messages={"required": BODY_TOO_SHORT},
    )
    follow = forms.BooleanField(
        label="Email me when someone replies in this thread", required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A field people never see: bots that fill every field give themselves away.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, reply: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_reply = reply
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        fields = [] if reply else [Field("kind", css_class="kind-choice")]
        self.helper.layout = Layout(
            *fields,
            "body",
            "follow",
            "parent",
            Div("website", css_class="hp-field", aria_hidden="true"),
        )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(HONEYPOT_REJECTED, code="honeypot")
        return ""

    def clean_body(self) -> str:
        # The service's own rule, here: too short or too long is this field's error, tied
        # to the field for screen readers, not an error of the whole form.
        return comment_body_validate(self.cleaned_data["body"])

    @property
    def is_honeypot(self) -> bool:
        return self.has_error("website", code="honeypot")


class NamedCommentForm(CommentForm):
    """The comment form for staff who have no display name yet: answers are signed."""

    display_name = forms.CharField(
        label="Your name on answers",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Staff answers are signed with a name. It is saved as your display name; "
        "your email address is never shown.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.insert(0, "display_name")


def comment_form_class(user) -> type[CommentForm]:
    """:class:`NamedCommentForm` for staff without a display name, else :class:`CommentForm`."""
    if not (user.is_authenticated and user.is_staff):
        return CommentForm
    try:
        named = bool(user.profile.display_name.strip())
    except Profile.DoesNotExist:
        named = False
    return CommentForm if named else NamedCommentForm


class FaqEntryForm(forms.Form):
    """The wording of a question and its answer as the technique's FAQ and handout print it."""

    question = forms.CharField(
        label="Question",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shortened and tidied as the page and the printed handout should say it.",
    )
    answer = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Leave out greetings and names (“Good question, Maya”).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": BODY_MAX_LENGTH + 500}),
        error_messages={"required": BODY_TOO_SHORT},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
