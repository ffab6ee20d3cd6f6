"""Database functions the city-wide figures need, for PostgreSQL and (in quick tests) SQLite.

The waiting times' median and 90th percentile are computed in the database as aggregates
(`percentile_cont` on PostgreSQL), so a dashboard reads one row per district and target group
whatever the number of children behind it.
"""

import math

from django.db.models import Aggregate, FloatField, Func, Value


class Percentile(Aggregate):
    """The continuous percentile (linear interpolation between the two nearest values), as
    PostgreSQL's percentile_cont; `fraction` is 0.5 for the median, 0.9 for the 90th percentile."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        filter_sql = ""
        filter_params = []
        if self.filter is not None:
            filter_sql, filter_params = compiler.compile(self.filter)
            filter_sql = f" FILTER (WHERE {filter_sql})"
        return (
            f"percentile_cont({self.fraction}) WITHIN GROUP (ORDER BY {sql}){filter_sql}",
            [*params, *filter_params],
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.filter is not None:
            raise NotImplementedError("Percentile(filter=...) is not used on SQLite")
        sql, params = compiler.compile(self.source_expressions[0])
        return f"gs_percentile_cont({sql}, {self.fraction})", params


class DaysBetween(Func):
    """Days (with fractions) from `earlier` to `later`, two timestamps."""

    output_field = FloatField()
    arity = 2

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)", [*later_params, *earlier_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return f"(julianday({later}) - julianday({earlier}))", [*later_params, *earlier_params]


def days_since(moment, expression) -> DaysBetween:
    """Days from `expression` to `moment` (a Python datetime: the app's clock, not the database's,
    so that a test's frozen time holds)."""
    return DaysBetween(Value(moment), expression)


class _PercentileCont:
    """SQLite's stand-in for percentile_cont: the same interpolation as PostgreSQL."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(float(value))
        self.fraction = float(fraction)

    def finalize(self):
        if not self.values:
            return None
        return percentile_cont(sorted(self.values), self.fraction)


def percentile_cont(ordered: list[float], fraction: float) -> float:
    """PostgreSQL's percentile_cont of values already in order: linear interpolation between the
    two nearest."""
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("gs_percentile_cont", 2, _PercentileCont)
