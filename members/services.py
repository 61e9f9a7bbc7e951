"""Writes and lookups of member profiles, staff email addresses and the site's identity."""

from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.models import Site
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from members.models import Profile, shown_name


def profile_for(user: AbstractBaseUser) -> Profile:
    """The user's profile, created on first use for accounts made before profiles existed."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def chosen_time_zone(user: AbstractBaseUser) -> str | None:
    """The time zone the member picked, or None while they have not picked one.

    A read: a user without a profile yet has picked nothing, and gets none made here
    (every signed-in technique page asks, to show comment times in the member's zone).
    """
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        return None
    return profile.time_zone if profile.time_zone_chosen else None


def profile_create(*, user: AbstractBaseUser, display_name: str = "") -> Profile:
    """Give a newly signed-up member their profile."""
    profile = profile_for(user)
    if display_name:
        profile.display_name = display_name.strip()
        profile.full_clean()
        profile.save(update_fields=["display_name"])
    return profile


def profile_update(*, profile: Profile, **values: object) -> Profile:
    """Change some of a profile's settings, validating them first. Setting the time zone
    counts as the member choosing it (forms stop offering the browser's own)."""
    if "time_zone" in values:
        values["time_zone_chosen"] = True
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


def public_name(user: AbstractBaseUser | None) -> str:
    """The name to show for ``user`` on public pages (never the email address).

    Works on users loaded with ``select_related("profile")`` without a query, and on
    users who have no profile row yet.
    """
    if user is None:
        return shown_name(display_name=None, user_id=None)
    try:
        return user.profile.public_name
    except Profile.DoesNotExist:
        return shown_name(display_name=None, user_id=user.pk)


def staff_email_verify(*, user: AbstractBaseUser) -> EmailAddress | None:
    """Count a staff member's email as verified, and primary, so they can sign in.

    Staff are made with ``createsuperuser`` or in the admin, by someone who can already
    run the site: nobody sends them the confirmation email that members answer when
    they join, and allauth refuses an unverified address. Does nothing for members or
    users without an email.
    """
    if not (user.is_staff or user.is_superuser) or not user.email:
        return None
    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            address = EmailAddress(user=user, email=user.email)
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
            primary=False
        )
        address.verified = True
        address.primary = True
        address.full_clean()
        address.save()
    return address


def site_sync(*, using: str = DEFAULT_DB_ALIAS) -> Site:
    """Make the Sites framework's site say what the settings say: SITE_NAME at SITE_URL.

    allauth's emails, the sitemap and the admin's "View site" link read the Site. Run
    after every ``migrate`` (a post_migrate handler in ``members.apps``) rather than by
    a data migration, which runs once: the release step migrates on every deploy, so a
    changed ``SITE_URL`` is picked up, and so does every fresh or flushed test database,
    where Django would otherwise put back "example.com".
    """
    site, created = Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.SITE_NAME},
    )
    if created:
        # A row written with its id leaves PostgreSQL's sequence behind, and the next
        # site added would be given the same id; Django's own default site does this too.
        with connections[using].cursor() as cursor:
            for statement in connections[using].ops.sequence_reset_sql(no_style(), [Site]):
                cursor.execute(statement)
    Site.objects.clear_cache()
    return site
