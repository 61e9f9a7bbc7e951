"""Plain SQL for the few hot reads where building the query cost more than running it.

The thread, the instructions and "today" are built on every uncached request; the ORM
spent 0.4-0.8 ms of CPU compiling each of their small queries, several times what the
database took to answer. Those reads are written once, as SQL that SQLite and
PostgreSQL both run, from the models' own table and column names, and their rows are
turned into model instances (or plain values) here, converted as the ORM converts them.
Everything else stays on the ORM.
"""

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

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


# A named parameter as Django and psycopg write it: %(name)s.
PARAMETER = re.compile(r"%\((\w+)\)s")


def planned_once(sql: str, types: Mapping[str, str]) -> str:
    """PostgreSQL: ``sql`` with each ``%(name)s`` read from a one-row table of the
    parameters, cast to its type in ``types``, so that a prepared statement keeps one plan.

    PostgreSQL plans a prepared statement afresh on every execution for as long as a
    plan for the values at hand looks cheaper than the plan for any values: for a
    member with eight times the average history that was every execution, the planning
    costing as much as the query. Read from a materialized CTE, the values are unknown
    to the planner either way, so after its first tries it keeps the one plan. Index
    conditions on them still use the indexes (as parameters of the executor); the
    conditions that must match a partial index are written into the query, not bound.
    """
    names = list(dict.fromkeys(PARAMETER.findall(sql)))
    values = ", ".join(f"CAST(%({name})s AS {types[name]}) AS {name}" for name in names)
    body = PARAMETER.sub(r"(SELECT \1 FROM parameters)", sql)
    return f"WITH parameters AS MATERIALIZED (SELECT {values})\n{body}"
