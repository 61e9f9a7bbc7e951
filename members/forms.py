from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from members import services
from members.models import DEFAULT_TIME_ZONE, DISPLAY_NAME_MAX_LENGTH, Profile
from members.validators import TIME_ZONE_ERROR, time_zone_names, validate_display_name

TIME_ZONE_HELP = "Type a city or region above the list to find yours, e.g. London."


class TimeZoneSelect(forms.Select):
    """The list of time zones; static/js/time-zone.js adds a search box.

    A field with no value yet (the member has not chosen) shows UTC selected and asks the
    script to pick the browser's own zone instead.
    """

    class Media:
        js = ["js/time-zone.js"]

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-time-zone-picker": ""}
        if not value:
            attrs["data-browser-zone"] = ""
            value = DEFAULT_TIME_ZONE
        return super().get_context(name, value, attrs)


class TimeZoneField(forms.ChoiceField):
    """A member's time zone: one of :func:`members.validators.time_zone_names`.

    The list always sends a value; a form posted without one gets UTC, the zone the list
    shows selected before anything is chosen.
    """

    widget = TimeZoneSelect
    default_error_messages = {"invalid_choice": TIME_ZONE_ERROR}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", TIME_ZONE_HELP)
        choices = [(name, name.replace("_", " ")) for name in time_zone_names()]
        super().__init__(choices=choices, required=False, **kwargs)

    def clean(self, value):
        return super().clean(value) or DEFAULT_TIME_ZONE


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (``ACCOUNT_SIGNUP_FORM_CLASS``)."""

    display_name = forms.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        validators=[validate_display_name],
        help_text="Shown on your questions and replies. Your email address is never shown.",
    )

    def signup(self, request, user) -> None:
        services.profile_create(user=user, display_name=self.cleaned_data["display_name"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Time zone")

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "time_zone",
            "notify_replies",
            "notify_followed",
            "notify_new_questions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        if not self.instance.time_zone_chosen and not self.is_bound:
            self.initial["time_zone"] = None  # the browser's own zone is offered
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
