"""Small-number protection for every figure about children (IOP 4.2: statistics that cannot
identify a child): a count of 1–4 could point at a child, so it is never shown as a number."""

SMALL_CELL = 5


def is_small_count(count: int) -> bool:
    return 0 < count < SMALL_CELL
