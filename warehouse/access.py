"""Who may see what: the pages each role uses and the scope it reads (DESIGN.md §3-5).

Plain functions, no Streamlit. A role's scope is turned into a `Scope` (the
schools, pupils and subjects every named query is bound to, warehouse/view.py)
from the warehouse itself: a head of year sees the pupils on roll in their
year groups, a tutor their tutor groups, a teacher the pupils of their classes
(in their classes' subjects only), a subject leader the pupils taking their
subjects (in those subjects only). Senior leaders and data managers see every
pupil of their schools. So a drill-down, a Venn region or an export can never
reach past the scope: the queries behind them cannot.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from warehouse.view import Scope

# The pages (by URL path) in each role's navigation; a page outside it is not offered, and a link to it
# opens the role's first page instead.
ANALYSIS_PAGES = ("overview", "subjects", "groups", "year_review", "pupil", "attendance", "targets",
                  "interventions", "explore")
ROLE_PAGES = {
    "data_manager": ANALYSIS_PAGES + ("trust", "console", "warehouse", "data_quality", "audit"),
    # Live SQL (warehouse/console.py) and the trust overview: whole-school roles only. The trust overview is
    # offered only to a viewer of several schools (app.py).
    "senior_leader": ANALYSIS_PAGES + ("trust", "console"),
    "subject_leader": ("subjects", "overview", "groups", "pupil", "targets", "interventions", "explore"),
    "head_of_year": ("year_review", "overview", "groups", "pupil", "attendance", "targets", "interventions",
                     "explore"),
    "tutor": ("year_review", "pupil", "attendance"),
    "teacher": ("subjects", "pupil"),
}
# Roles that see every pupil of their schools.
WHOLE_SCHOOL = ("data_manager", "senior_leader")


def pages_for(role: str) -> tuple[str, ...]:
    return ROLE_PAGES.get(role, ())


def scope_for(account, run: Callable[..., pd.DataFrame]) -> Scope:
    """The schools, pupils and subjects an account may see, resolved against the warehouse now.

    `account` has role, schools (None: all), subjects, year_groups, tutor_groups and classes
    (warehouse.accounts.Account). An unknown role, or a role with nothing in its scope, sees nothing.
    """
    schools = None if account.schools is None else tuple(account.schools)
    if account.role not in ROLE_PAGES or schools == ():
        return Scope.nothing()
    if account.role in WHOLE_SCHOOL:
        return Scope(schools=schools)
    params = {"schools": list(schools) if schools else None, "role": account.role,
              "year_groups": [int(y) for y in account.year_groups] or None,
              "tutor_groups": list(account.tutor_groups) or None, "classes": list(account.classes) or None,
              "subjects": list(account.subjects) or None}
    upns = tuple(run("scope_pupils", **params)["upn"])
    subjects = None
    if account.role == "subject_leader":
        subjects = tuple(account.subjects)
    elif account.role == "teacher":
        subjects = tuple(run("scope_class_subjects", schools=params["schools"],
                             classes=params["classes"])["subject_code"])
    return Scope(schools=schools, upns=upns, subjects=subjects)


# What each role may write (warehouse/staff_records.py), always within its scope: targets only where the
# role answers for the subject; notes and review actions on any pupil it sees; curricular targets where it
# teaches or leads the subject. Tutors and heads of year agree actions; they do not set subject targets.
WRITES = {
    "targets": ("data_manager", "senior_leader", "subject_leader"),
    "notes": tuple(ROLE_PAGES),
    "actions": tuple(ROLE_PAGES),
    "curricular_targets": ("data_manager", "senior_leader", "subject_leader", "teacher"),
}


def may_write(role: str, what: str) -> bool:
    return role in WRITES.get(what, ())
