"""Plain SQL for the few hot reads where building the query cost more than running it.

The thread, the instructions and "today" are built on every uncached request; the ORM
spent 0.4-0.8 ms of CPU compiling each of their small queries, several times what the
database took to answer. Those reads are written once, as SQL that SQLite and
PostgreSQL both run, from the models' own table and column names, and their rows are
turned into model instances (or plain values) here, converted as the ORM converts them.
Everything else stays on the ORM.
"""

import functools
from collections.abc import Iterable, Sequence

from django.db import connection, connections
from django.db.models import Field, Model


def rows(sql: str, params: Sequence | dict) -> list[tuple]:
    """The rows ``sql`` returns, as tuples of the database driver's values."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def converted(columns: Sequence[Field], found: Iterable[Sequence]) -> list[list]:
    """Rows of plain SQL with each value converted as the ORM converts it (``columns``:
    the model field each value was read from, in order): SQLite gives 0 and 1 for
    booleans and naive datetimes where the ORM gives bools and aware datetimes."""
    converters = _converters(tuple(columns), connection.alias)
    made = []
    for row in found:
        values = list(row)
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        made.append(values)
    return made


@functools.cache
def _converters(columns: tuple[Field, ...], alias: str) -> tuple:
    # Looked up once per list of columns: for a technique's twenty columns the look-up
    # cost more than converting a page's rows.
    found = []
    for index, field in enumerate(columns):
        column = field.get_col(field.model._meta.db_table)
        functions = connections[alias].ops.get_db_converters(column) + field.get_db_converters(
            connections[alias]
        )
        if functions:
            found.append((index, column, tuple(functions)))
    return tuple(found)


def instances(model: type[Model], columns: Sequence[str], found: Iterable[Sequence]) -> list:
    """Model instances from rows of plain SQL (``columns``: attribute names in the model's
    field order), each value converted as :func:`converted` does."""
    fields = [model._meta.get_field(name) for name in columns]
    return [model.from_db(connection.alias, columns, values) for values in converted(fields, found)]
