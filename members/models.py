"""A member's profile: the name shown on comments, their time zone, which emails they want."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

DISPLAY_NAME_MAX_LENGTH = 40
TIME_ZONE_ERROR = "“%(value)s” is not a time zone we know. Pick one such as Europe/London."


def validate_time_zone(value: str) -> None:
    """Accept only IANA names the standard library knows (``Europe/Berlin``, ``UTC``)."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(TIME_ZONE_ERROR, params={"value": value}, code="time_zone")


class Profile(models.Model):
    """One per user; created at sign-up or, for older accounts, on first use."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        help_text="Shown on your questions and replies instead of your email address.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Your daily plan changes day at midnight in this time zone.",
    )
    notify_replies = models.BooleanField(
        "replies to my questions",
        default=True,
        help_text="Email me when someone replies under a question I asked.",
    )
    notify_followed = models.BooleanField(
        "threads I follow",
        default=True,
        help_text="Email me about new replies in threads I chose to follow.",
    )
    notify_new_questions = models.BooleanField(
        "new questions (staff)",
        default=True,
        help_text="Staff only: email me about each new question waiting for an answer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name others see; never the email address."""
        return self.display_name.strip() or f"Member {self.user_id}"
