"""A member's routine, the days they worked on it and what they logged."""

import secrets
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from techniques.models import Region, Technique, Tool

FEEDBACK_ONLY_WHEN_DONE_ERROR = "Sensitivity and movement are recorded only for a technique done."
DEFAULT_REMINDER_TIME = time(8, 0)


def new_feed_token() -> str:
    """A fresh secret for a member's calendar feed URL."""
    return secrets.token_urlsafe(24)


class Routine(models.Model):
    """One member's plan settings: regions in order, pace, left-out and pinned techniques."""

    class PerDay(models.IntegerChoices):
        TWO = 2, "2 a day"
        THREE = 3, "3 a day"

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routine"
    )
    regions = models.ManyToManyField(Region, through="RoutineRegion", related_name="+")
    tools = models.ManyToManyField(
        Tool, blank=True, related_name="+", help_text="Tools the member has at hand."
    )
    excluded_techniques = models.ManyToManyField(
        Technique, blank=True, related_name="+", verbose_name="techniques left out"
    )
    pinned_techniques = models.ManyToManyField(
        Technique, blank=True, related_name="+", verbose_name="pinned daily"
    )
    per_day = models.PositiveSmallIntegerField(choices=PerDay.choices, default=PerDay.TWO)
    tension = models.BooleanField(
        "tension in the front of the hips or the lower back", default=False
    )
    start_date = models.DateField()
    reminders_on = models.BooleanField("email me a daily reminder", default=False)
    reminder_time = models.TimeField(default=DEFAULT_REMINDER_TIME)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member_id"]
        constraints = [
            models.CheckConstraint(condition=Q(per_day__in=[2, 3]), name="routine_per_day_2_or_3"),
        ]

    def __str__(self) -> str:
        return f"Routine of {self.member}"

    def get_absolute_url(self) -> str:
        return reverse("routines:today")


class RoutineRegion(models.Model):
    """A region chosen in a routine, with its place in the rotation."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="region_links")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["routine", "position"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "region"], name="routine_region_once"),
            models.UniqueConstraint(
                fields=["routine", "position"], name="routine_region_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.region}"


class RoutinePass(models.Model):
    """A region pass of a member's rotation: the region worked on from ``since``.

    The latest row is the member's place; what of the region is left to do follows
    from the log since that day. Rows are added as passes finish (``place_sync``)
    and when the current region is dropped from the routine.
    """

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="passes")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    since = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["routine", "since", "id"]
        verbose_name_plural = "routine passes"
        constraints = [
            models.UniqueConstraint(
                fields=["routine", "region", "since"], name="routine_pass_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} from {self.since}"


class DailySession(models.Model):
    """The region a member worked on one day, and whether all of the day was logged."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField()
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["routine", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "day"], name="session_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region or ''}{' (finished)' if self.finished else ''}"


class LogEntry(models.Model):
    """A technique done or skipped on a day, with how the area responded."""

    class Status(models.TextChoices):
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    class Sensitivity(models.TextChoices):
        LESS = "less", "Less sensitive"
        SAME = "same", "About the same"
        MORE = "more", "More sensitive"

    class Movement(models.TextChoices):
        BETTER = "better", "Moves better"
        SAME = "same", "About the same"
        WORSE = "worse", "Moves worse"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routine_log"
    )
    # A log row is the member's history: a technique that was logged cannot be
    # deleted, only unpublished.
    technique = models.ForeignKey(Technique, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, blank=True)
    movement = models.CharField(max_length=10, choices=Movement.choices, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "technique_id"]
        verbose_name_plural = "log entries"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "technique", "day"], name="log_once_per_technique_and_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "skipped"]), name="log_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(sensitivity__in=["", "less", "same", "more"]),
                name="log_sensitivity_valid",
            ),
            models.CheckConstraint(
                condition=Q(movement__in=["", "better", "same", "worse"]),
                name="log_movement_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="done") | Q(sensitivity="", movement=""),
                name="log_feedback_only_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "day"], name="log_member_day"),
            # "Today" reads each technique's latest overuse report and latest note
            # (routines.selectors.routine_data): these keep both reads to the few rows
            # they look for, where the member's whole history was scanned before. The
            # query spells the same conditions out, so PostgreSQL can use them. On the
            # member alone: PostgreSQL costs a second column's index scans as less
            # ordered on disk and chose the plain member index over (member, day).
            models.Index(
                fields=["member"],
                condition=Q(status="done", sensitivity="more") & ~Q(movement="better"),
                name="log_overuse_reports",
            ),
            models.Index(fields=["member"], condition=~Q(note=""), name="log_notes"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.technique} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("routines:note", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.status != self.Status.DONE and (self.sensitivity or self.movement):
            raise ValidationError(FEEDBACK_ONLY_WHEN_DONE_ERROR)


class StretchLog(models.Model):
    """One session of the Supported Corpse Stretch: prop, unbroken minutes, tension."""

    class Prop(models.TextChoices):
        BOOK = "book", "Hardcover book"
        YOGA_BLOCK = "yoga-block", "Yoga block"
        ROLLER_6IN = "roller-6in", "6-inch roller"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stretch_log"
    )
    day = models.DateField()
    prop = models.CharField(max_length=12, choices=Prop.choices)
    unbroken_minutes = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="How long you lay still without moving, in minutes.",
    )
    tension = models.BooleanField("I still felt tension", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="stretch_log_once_per_day"),
            models.CheckConstraint(
                condition=Q(prop__in=["book", "yoga-block", "roller-6in"]),
                name="stretch_log_prop_valid",
            ),
            models.CheckConstraint(
                condition=Q(unbroken_minutes__gte=0, unbroken_minutes__lte=60),
                name="stretch_log_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_prop_display()} {self.unbroken_minutes} min"


class ReminderSent(models.Model):
    """Marks that a member's reminder for one local day went out, so it never goes twice."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="reminder_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.member} for {self.day}"


class LogSubmission(models.Model):
    """One day's log as sent once from a device, named by the key the device gave it.

    A log made offline is sent again until an answer arrives, so the same log may
    come twice or more: the key is unique per member, and a send whose key is here
    already changes nothing and gets ``answer``, what the first send was told.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="log_submissions"
    )
    key = models.CharField(max_length=64)
    day = models.DateField()
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "key"], name="log_submission_key_once"),
        ]

    def __str__(self) -> str:
        return f"Log of {self.day} sent as {self.key}"
