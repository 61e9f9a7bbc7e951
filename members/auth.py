"""Authentication backends that keep each signed-in member's user row in the cache.

Django loads the user from the database on every signed-in request; on a kept page
(a technique page, today's plan) that query was the largest cost left. The backends
below are Django's and allauth's, with ``get_user`` reading the member's profile in the
same query (pages show their name and comment times in their zone) and through the
shared cache. Every save or delete of a user or a profile forgets the copy
(``smrsite.versions``), so a password
change, a deactivation or a staff flag set in the admin applies on the next request;
a change made with ``QuerySet.update()`` bypasses that and shows within
``USER_CACHE_SECONDS``. Without a shared cache (``PAGE_CACHE_SECONDS`` is 0, or no
Redis in production) nothing is kept, as one worker could not forget another's copy.
"""

from allauth.account import auth_backends
from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError

from members.models import PROFILE_COLUMNS, Profile, attach_profile
from smrsite import sql

USER_KEY = "members:user:{user_id}"


def _seconds() -> int:
    return min(getattr(settings, "USER_CACHE_SECONDS", 300), settings.PAGE_CACHE_SECONDS)


def forget_user(user_id: object) -> None:
    """Drop the kept copy of one user: call after any change to the user's row."""
    cache.delete(USER_KEY.format(user_id=user_id))


class CachedUserMixin:
    """``get_user`` through the cache; ``user_can_authenticate`` is checked on every read."""

    def get_user(self, user_id: object) -> AbstractBaseUser | None:
        """The active user with this id and their profile, from the cache when it holds a
        current copy."""
        seconds = _seconds()
        key = USER_KEY.format(user_id=user_id)
        user = cache.get(key) if seconds > 0 else None
        if user is None:
            user = _user_row(user_id)
            if user is not None and seconds > 0:
                cache.set(key, user, timeout=seconds)
        return user if user is not None and self.user_can_authenticate(user) else None


_USER = get_user_model()
_USER_COLUMNS = tuple(f.attname for f in _USER._meta.concrete_fields)
_USER_SQL = f"""
    SELECT {", ".join(f"u.{_USER._meta.get_field(c).column}" for c in _USER_COLUMNS)},
        {", ".join(f"p.{Profile._meta.get_field(c).column}" for c in PROFILE_COLUMNS)}
    FROM {_USER._meta.db_table} u LEFT JOIN {Profile._meta.db_table} p ON p.user_id = u.id
    WHERE u.id = %s"""


def _user_row(user_id: object) -> AbstractBaseUser | None:
    """The user with this id and their profile (if they have one yet), in one query.

    Plain SQL, as select_related("profile") would read it: every signed-in request
    with no cache starts here, and the ORM took longer to compile the query than the
    database to answer it.
    """
    try:
        found = sql.rows(_USER_SQL, [_USER._meta.pk.to_python(user_id)])
    except ValidationError:
        return None
    if not found:
        return None
    row = found[0]
    [user] = sql.instances(_USER, _USER_COLUMNS, [row[: len(_USER_COLUMNS)]])
    attach_profile(user, row[len(_USER_COLUMNS) :])
    return user


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's username/password backend with the kept user."""


class AuthenticationBackend(CachedUserMixin, auth_backends.AuthenticationBackend):
    """allauth's email sign-in backend with the kept user."""
