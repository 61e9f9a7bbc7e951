"""Writes and lookups of member profiles."""

from django.contrib.auth.base_user import AbstractBaseUser

from members.models import Profile
from smrsite import pagecache


def profile_for(user: AbstractBaseUser) -> Profile:
    """The user's profile, created on first use for accounts made before profiles existed."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def profile_create(*, user: AbstractBaseUser, display_name: str = "") -> Profile:
    """Give a newly signed-up member their profile."""
    profile = profile_for(user)
    if display_name:
        profile.display_name = display_name.strip()
        profile.full_clean()
        profile.save(update_fields=["display_name"])
    return profile


def profile_update(*, profile: Profile, **values: object) -> Profile:
    """Change some of a profile's settings, validating them first."""
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if "display_name" in values:
        pagecache.content_changed()  # comments on public pages show the name
    return profile


def public_name(user: AbstractBaseUser | None) -> str:
    """The name to show for ``user`` on public pages (never the email address).

    Works on users loaded with ``select_related("profile")`` without a query, and on
    users who have no profile row yet.
    """
    if user is None:
        return "Former member"
    try:
        return user.profile.public_name
    except Profile.DoesNotExist:
        return f"Member {user.pk}"
