from dataclasses import dataclass

from django import forms
from django.forms import formset_factory
from django.forms.forms import NON_FIELD_ERRORS

from members.forms import TimeZoneField
from members.services import chosen_time_zone
from routines.models import DEFAULT_REMINDER_TIME, LogEntry, Routine, StretchLog
from routines.services import NO_REGIONS_ERROR
from techniques.models import Region, Technique, Tool
from techniques.params import id_from

FEEDBACK_REQUIRED_ERROR = "Say how the area responded: sensitivity and movement."
MAX_REGION_ORDER = 20


class CatalogueChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes of catalogue rows that refuse ids no database column can hold.

    Django passes the posted ids straight to ``pk__in``; on SQLite an id over 2**63
    raises OverflowError there instead of a validation error.
    """

    def _check_values(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if id_from(str(pk)) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class ThreeADayCheckbox(forms.CheckboxInput):
    """The daily maximum (2 or 3) as one checkbox: "3 a day instead of 2".

    Radios need the arrow keys; a checkbox toggles with Space. Checked, it posts the
    field's value 3; unchecked, a browser posts nothing, which reads as 2. An explicit
    2 or 3 (other clients, the tests) is read as it is.
    """

    checked_value = str(Routine.PerDay.THREE.value)
    unchecked_value = str(Routine.PerDay.TWO.value)

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: str(value) == self.checked_value)

    def format_value(self, value):
        return self.checked_value

    def value_from_datadict(self, data, files, name):
        return data.get(name, self.unchecked_value)


class RoutineForm(forms.Form):
    """Onboarding and settings: regions and their order, tools, tension, pace, reminders.

    Each region has an "include" box and an order number, so the order can be
    chosen without JavaScript.
    """

    tools = CatalogueChoiceField(
        queryset=Tool.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tools you have at hand",
        help_text="Techniques that need a tool you do not have are left out.",
    )
    tension = forms.BooleanField(
        required=False,
        label="I have tension in the front of my hips or my lower back",
        help_text="Adds the Supported Corpse Stretch every day until the tension is gone.",
    )
    per_day = forms.TypedChoiceField(
        choices=Routine.PerDay.choices,
        coerce=int,
        initial=Routine.PerDay.TWO,
        # Unchecked is an answer (2), not a missing one: no "required" mark on the box.
        required=False,
        empty_value=Routine.PerDay.TWO.value,
        widget=ThreeADayCheckbox,
        label="3 techniques a day instead of 2",
        help_text="2 is a gentle start; 3 gets round the body faster.",
    )
    time_zone = TimeZoneField(
        help_text="Your plan changes day at midnight here. Type a city above the list to find "
        "yours, e.g. London."
    )
    reminders_on = forms.BooleanField(required=False, label="Email me a daily reminder")
    reminder_time = forms.TimeField(
        initial=DEFAULT_REMINDER_TIME,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        label="Reminder time (your local time)",
    )
    left_out = CatalogueChoiceField(
        queryset=Technique.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Leave out these techniques",
        help_text="On top of those that need a tool you do not have.",
    )

    def __init__(self, *args, regions, default_regions, with_left_out=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = list(regions)
        self.region_rows = []
        for n, region in enumerate(self.regions, start=1):
            include = forms.BooleanField(
                required=False,
                label=region.name,
                initial=region.slug in default_regions,
            )
            order = forms.IntegerField(
                min_value=1,
                max_value=MAX_REGION_ORDER,
                initial=n,
                label=f"Order of {region.name}",
            )
            self.fields[f"region_{region.slug}"] = include
            self.fields[f"order_{region.slug}"] = order
            self.region_rows.append(
                (region, self[f"region_{region.slug}"], self[f"order_{region.slug}"])
            )
        if with_left_out:
            self.fields["left_out"].queryset = (
                Technique.objects.published()
                .select_related("region")
                .order_by("region__position", "position")
            )
        else:
            del self.fields["left_out"]

    def clean(self):
        cleaned = super().clean()
        chosen = [
            (cleaned.get(f"order_{r.slug}") or MAX_REGION_ORDER, n, r)
            for n, r in enumerate(self.regions)
            if cleaned.get(f"region_{r.slug}")
        ]
        if not chosen:
            raise forms.ValidationError(NO_REGIONS_ERROR)
        cleaned["ordered_regions"] = [region for _, _, region in sorted(chosen)]
        return cleaned

    @classmethod
    def initial_for(cls, routine: Routine, *, regions: list[Region], excluded_by_tools: set[int]):
        """The form's initial values for an existing routine."""
        links = {link.region_id: link.position for link in routine.region_links.all()}
        initial = {
            "tools": list(routine.tools.all()),
            "tension": routine.tension,
            "per_day": routine.per_day,
            "time_zone": chosen_time_zone(routine.member),
            "reminders_on": routine.reminders_on,
            "reminder_time": routine.reminder_time,
            "left_out": [
                t for t in routine.excluded_techniques.all() if t.pk not in excluded_by_tools
            ],
        }
        unchosen = len(links) + 1
        for region in regions:
            initial[f"region_{region.slug}"] = region.pk in links
            if region.pk in links:
                initial[f"order_{region.slug}"] = links[region.pk]
            else:
                initial[f"order_{region.slug}"] = unchosen
                unchosen += 1
        return initial


class _Shared:
    """A field that every form of its class shares instead of a copy of its own.

    Django deep-copies each field into each form so that one form may change its own.
    The item forms never change theirs, and copying their three sets of choices was
    nearly all of making one (0.18 ms of 0.2 on the benchmark machine; about 3% of
    "today" with two items). A form whose ``__init__`` changes a field must not use these.
    """

    def __deepcopy__(self, memo: dict) -> "_Shared":
        return self


class SharedCharField(_Shared, forms.CharField):
    """A ``CharField`` shared by every form of its class (see ``_Shared``)."""


class SharedChoiceField(_Shared, forms.ChoiceField):
    """A ``ChoiceField`` shared by every form of its class (see ``_Shared``)."""


class ItemLogForm(forms.Form):
    """One item of today's plan: done or skipped, and how the area responded."""

    technique = SharedCharField(widget=forms.HiddenInput)
    status = SharedChoiceField(
        choices=[("", "Not yet"), *LogEntry.Status.choices],
        required=False,
        widget=forms.RadioSelect,
        label="Did you do it?",
    )
    sensitivity = SharedChoiceField(
        choices=LogEntry.Sensitivity.choices,
        required=False,
        widget=forms.RadioSelect,
        label="How does the area feel now?",
    )
    movement = SharedChoiceField(
        choices=LogEntry.Movement.choices,
        required=False,
        widget=forms.RadioSelect,
        label="How does it move?",
    )
    note = SharedCharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note for next time (optional)",
    )

    def __init__(self, *args, allowed: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def clean_technique(self):
        slug = self.cleaned_data["technique"]
        if slug not in self.allowed:
            raise forms.ValidationError("That technique is not on your plan today.")
        return slug

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == LogEntry.Status.DONE:
            if not cleaned.get("sensitivity") or not cleaned.get("movement"):
                raise forms.ValidationError(FEEDBACK_REQUIRED_ERROR, code="feedback")
        else:
            cleaned["sensitivity"] = cleaned["movement"] = ""
        return cleaned

    @property
    def unanswered_feedback(self) -> dict[str, str]:
        """Each feedback question left open on an item marked done, with its error's id.

        The missing answers are one error of the whole item (FEEDBACK_REQUIRED_ERROR),
        shown once under the questions; each question left open points to it.
        """
        if not self.is_bound or not self.has_error(NON_FIELD_ERRORS, "feedback"):
            return {}
        error_id = f"{self.prefix}-feedback-error"
        return {name: error_id for name in ("sensitivity", "movement") if not self[name].value()}


ItemLogFormSet = formset_factory(ItemLogForm, extra=0)


class StretchLogForm(forms.ModelForm):
    """Today's Supported Corpse Stretch: the prop, unbroken minutes and any tension.

    Part of the day's one form: without minutes it logs nothing, even if the prop or
    the tension box was changed.
    """

    class Meta:
        model = StretchLog
        fields = ["prop", "unbroken_minutes", "tension"]
        widgets = {
            "unbroken_minutes": forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "60"})
        }
        labels = {"unbroken_minutes": "Unbroken, motionless minutes"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty minutes mean the stretch was not done today, whatever else was touched.
        self.fields["unbroken_minutes"].required = False


@dataclass(frozen=True)
class LogError:
    """One problem with a day's log, for the summary at the top of "today"."""

    text: str
    anchor: str  # the id of the control to go to, or of the item when it has none


def _control_id(field) -> str:
    # Radios are reached through their first option (static/js/daylog.js maps it to the
    # group's one button).
    return f"{field.auto_id}_0" if field.widget_type == "radioselect" else field.auto_id


def day_log_errors(
    items: list[tuple[str, str, ItemLogForm]], stretch: tuple[str, StretchLogForm] | None
) -> list[LogError]:
    """Every error of the day's one form, in page order, each naming its item.

    ``items``: (name, the item's element id, its form); ``stretch``: (name, form) when
    the stretch is part of the form.
    """
    found = []
    for name, item_id, form in items:
        for error in form.non_field_errors():
            missing = list(form.unanswered_feedback)
            anchor = _control_id(form[missing[0]]) if missing else item_id
            found.append(LogError(f"{name}: {error}", anchor))
        for field_name, errors in form.errors.items():
            if field_name == NON_FIELD_ERRORS:
                continue
            field = form[field_name]
            anchor = item_id if field.is_hidden else _control_id(field)
            found += [LogError(f"{name}: {error}", anchor) for error in errors]
    if stretch is not None:
        name, form = stretch
        for field_name, errors in form.errors.items():
            field = form[field_name] if field_name != NON_FIELD_ERRORS else None
            anchor = _control_id(field) if field is not None else "stretch"
            label = f"{name}, {field.label.lower()}" if field is not None else name
            found += [LogError(f"{label}: {error}", anchor) for error in errors]
    return found


class NoteForm(forms.Form):
    """A note on a logged item, shown the next time that technique comes up."""

    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="Note"
    )
