"""Reading numbers from query strings and forms without trusting them."""

# The largest id a 64-bit database column holds; bigger numbers cannot name a row.
MAX_ID = 2**63 - 1


def id_from(value: object) -> int | None:
    """A database id from a query or form value, or None for anything else.

    ``str.isdigit`` alone is not enough: it accepts "²" and other digits ``int`` refuses,
    and ``int`` refuses strings of more than 4,300 digits.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        if 0 < number <= MAX_ID:
            return number
    return None
