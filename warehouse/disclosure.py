"""Small groups in exported tables: a figure about two pupils is a figure about a named pupil.

A table of groups (subgroup gaps, the question builder's figures) that leaves
the dashboard as a file has the figures of its small groups hidden, unless the
person exporting switches that off for this download (and the audit log says
they did). The threshold is tracker.toml's [access] small_group_size (default
6: groups of 1 to 5 pupils are hidden, a common disclosure-control rule in
English school statistics; set your own policy's figure).
Lists of pupils are not groups: who may see them is the viewer's scope.
"""
from __future__ import annotations

import pandas as pd

HIDDEN_NOTE = "fewer than {size} pupils: figures hidden"


def hide_small_groups(frame: pd.DataFrame, size_columns: tuple[str, ...], smallest_shown: int,
                      labels: tuple[str, ...] = ()) -> tuple[pd.DataFrame, int]:
    """The table with every figure of a row blanked (its pupil counts too) where any of its groups
    (`size_columns`: a group's pupils, and the rest's where a row compares with the rest) is smaller
    than `smallest_shown`, with a note saying why; `labels` name the group and are kept. Also how
    many rows were hidden."""
    small = pd.Series(False, index=frame.index)
    for column in (c for c in size_columns if c in frame.columns):
        sizes = pd.to_numeric(frame[column], errors="coerce")
        small |= sizes.notna() & (sizes < smallest_shown)
    if not small.any():
        return frame, 0
    hidden = frame.copy()
    figures = [c for c in hidden.columns if c not in labels]
    hidden[figures] = hidden[figures].astype(object)
    hidden.loc[small, figures] = None
    hidden["note"] = None
    hidden.loc[small, "note"] = HIDDEN_NOTE.format(size=smallest_shown)
    return hidden, int(small.sum())
