"""What a page shows: the viewer's scope (what they may see) and the view they chose (filters).

Plain data, no Streamlit. Every loader takes both, and binds them into its
named query as parameters, so a page cannot show what the scope excludes.
The scope comes from the signed-in account (warehouse/access.py).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

# Filters and their URL keys: a link with these reproduces the view.
URL_KEYS = {
    "school": "school", "assessment_point": "point", "compare_point": "compare", "year_group": "year",
    "subject_code": "subject", "disadvantaged": "disadvantaged", "sen_status": "sen", "gender": "gender",
    "prior_attainment_band": "band", "custom_group": "group",
}


@dataclass(frozen=True)
class Scope:
    """Which schools, pupils and subjects the viewer may see; None means all of them."""
    schools: tuple[str, ...] | None = None
    upns: tuple[str, ...] | None = None
    subjects: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> "Scope":
        return cls()

    @classmethod
    def nothing(cls) -> "Scope":
        """No school, pupil or subject: every query answers with no rows."""
        return cls(schools=(), upns=(), subjects=())

    def params(self) -> dict:
        return {"scope_schools": _listed(self.schools), "scope_upns": _listed(self.upns),
                "scope_subjects": _listed(self.subjects)}


@dataclass(frozen=True)
class ViewFilters:
    """The view chosen in the sidebar. None means "all"."""
    school: str | None = None
    assessment_point: str | None = None
    compare_point: str | None = None
    year_group: int | None = None
    subject_code: str | None = None
    disadvantaged: bool | None = None
    sen_status: str | None = None
    gender: str | None = None
    prior_attainment_band: str | None = None
    custom_group: str | None = None

    def params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_url(self) -> dict[str, str]:
        """Query-string values for the filters that are set."""
        values = {}
        for name, key in URL_KEYS.items():
            value = getattr(self, name)
            if value is not None:
                values[key] = ("Y" if value else "N") if isinstance(value, bool) else str(value)
        return values

    @classmethod
    def from_url(cls, query: dict[str, str]) -> "ViewFilters":
        """Filters from a query string; values that do not parse are ignored, not fatal."""
        values = {}
        for name, key in URL_KEYS.items():
            raw = query.get(key)
            if raw in (None, ""):
                continue
            if name == "year_group":
                values[name] = int(raw) if str(raw).isdigit() else None
            elif name == "disadvantaged":
                values[name] = {"Y": True, "N": False}.get(str(raw).upper())
            else:
                values[name] = str(raw)
        return cls(**values)


def loader_params(scope: Scope, view: ViewFilters, **extra) -> dict:
    """Everything a named query binds: the scope, the view, and what the loader adds."""
    return {**scope.params(), **view.params(), **extra}


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)
