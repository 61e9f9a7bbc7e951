"""A member's profile: the name shown on comments, their time zone, which emails they want."""

from collections.abc import Sequence

from django.conf import settings
from django.db import models

from members.validators import (
    has_visible_character,
    validate_display_name,
    validate_time_zone,
)
from smrsite import sql

DISPLAY_NAME_MAX_LENGTH = 40
DEFAULT_TIME_ZONE = "UTC"


def shown_name(*, display_name: str | None, user_id: int | None) -> str:
    """The name others see for a member with this display name (None: no profile row yet;
    ``user_id`` None: the account is gone); never the email address."""
    if user_id is None:
        return "Former member"
    name = (display_name or "").strip()
    return name if has_visible_character(name) else f"Member {user_id}"


class Profile(models.Model):
    """One per user; created at sign-up or, for older accounts, on first use."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        validators=[validate_display_name],
        help_text="Shown on your questions and replies instead of your email address.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="Your daily plan changes day at midnight in this time zone.",
    )
    time_zone_chosen = models.BooleanField(
        default=False,
        help_text="Whether the member picked the time zone; until then forms offer the "
        "browser's own.",
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
        return shown_name(display_name=self.display_name, user_id=self.user_id)


#: A profile's columns in model order, for plain-SQL reads that join it (see
#: :func:`attach_profile`).
PROFILE_COLUMNS = tuple(f.attname for f in Profile._meta.concrete_fields)


def attach_profile(user: models.Model, row: Sequence) -> None:
    """Keep on ``user`` the profile read in plain SQL as ``row`` (:data:`PROFILE_COLUMNS`,
    all None for a user without one), as ``select_related("profile")`` would: a user
    without a profile then reads as ``Profile.DoesNotExist`` without a query."""
    profile = None
    if row[0] is not None:
        [profile] = sql.instances(Profile, PROFILE_COLUMNS, [row])
        Profile.user.field.set_cached_value(profile, user)
    Profile.user.field.remote_field.set_cached_value(user, profile)
