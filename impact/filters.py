"""The selection a user makes: organisations, a year range, projects, programme areas."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Filters:
    """What to count. An empty tuple means "all"; a None year bound means "unbounded"."""

    orgs: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    projects: tuple[str, ...] = ()
    areas: tuple[str, ...] = field(default=())

    def params(self) -> dict:
        """Bound parameters for the `*_in(...)` macros every query filters through."""
        return {
            "orgs": list(self.orgs),
            "projects": list(self.projects),
            "areas": list(self.areas),
            "year_from": self.year_from,
            "year_to": self.year_to,
        }

    @property
    def span(self) -> int | None:
        """How many years the range covers, when both ends are set."""
        if self.year_from is None or self.year_to is None:
            return None
        return self.year_to - self.year_from + 1

    def previous_period(self) -> "Filters | None":
        """The period of equal length just before this one (the year before, for one year).

        None when the range is open-ended: there is no defined period to compare with.
        """
        if self.span is None:
            return None
        return replace(self, year_from=self.year_from - self.span,
                       year_to=self.year_to - self.span)

    def with_years(self, year_from: int | None, year_to: int | None) -> "Filters":
        return replace(self, year_from=year_from, year_to=year_to)
