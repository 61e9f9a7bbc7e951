from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from members import services
from members.models import DISPLAY_NAME_MAX_LENGTH, Profile

TIME_ZONE_HELP = "An IANA name such as Europe/London or America/New_York."


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (``ACCOUNT_SIGNUP_FORM_CLASS``)."""

    display_name = forms.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Shown on your questions and replies. Your email address is never shown.",
    )

    def signup(self, request, user) -> None:
        services.profile_create(user=user, display_name=self.cleaned_data["display_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "display_name",
            "time_zone",
            "notify_replies",
            "notify_followed",
            "notify_new_questions",
        ]
        help_texts = {"time_zone": TIME_ZONE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        notifications = ["notify_replies", "notify_followed"]
        if not self.instance.user.is_staff:
            del self.fields["notify_new_questions"]
        else:
            notifications.append("notify_new_questions")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "display_name",
            "time_zone",
            Fieldset("Email me about", *notifications),
            Submit("save", "Save settings", css_class="btn-accent"),
        )
