"""Exactly-once saving of a day's log sent from a device, by the key the device gave it.

A phone that saved a log offline sends it again until it hears an answer: the
answer may have been lost, or two tabs may send the same queued log at once. Each
send carries a key; the first send with a key saves the log and records the key
with its answer in the same transaction, and every later send with that key changes
nothing and gets the recorded answer back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from routines.models import LogSubmission


@dataclass(frozen=True)
class Submitted:
    """What a send of a log was told, and whether an earlier send with its key told it first."""

    answer: dict
    replayed: bool


def log_submission_find(*, member, key: str) -> Submitted | None:
    """The recorded answer to the member's earlier send with ``key``, or None."""
    found = LogSubmission.objects.filter(member=member, key=key).values_list("answer", flat=True)
    answer = found.first()
    return None if answer is None else Submitted(answer=answer, replayed=True)


def log_submission_once(*, member, key: str, day: date, save: Callable[[], dict]) -> Submitted:
    """Run ``save`` (which returns the answer for the device) once per member and key.

    ``save`` and the record of the key commit together: if ``save`` fails nothing is
    recorded and the device may send again. When a send with the same key commits
    first, this one's writes are rolled back and the first answer is returned.
    """
    earlier = log_submission_find(member=member, key=key)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            answer = save()
            LogSubmission.objects.create(member=member, key=key, day=day, answer=answer)
    except IntegrityError:
        earlier = log_submission_find(member=member, key=key)
        if earlier is None:
            raise
        return earlier
    return Submitted(answer=answer, replayed=False)
