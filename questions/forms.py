from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms

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
