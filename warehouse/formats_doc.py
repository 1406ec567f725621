"""Writes the per-kind column tables of docs/import-formats.md from formats.py.

The prose of that page is written by hand; the part between the markers
`<!-- formats:start -->` and `<!-- formats:end -->` is generated, so the
documentation cannot drift from what ingestion accepts (tests/test_docs.py).

    python -m warehouse.formats_doc
"""
from __future__ import annotations

from pathlib import Path

from warehouse.formats import HEADER_SPELLINGS, KINDS, KIND_ALIASES

DOC = Path(__file__).resolve().parent.parent / "docs" / "import-formats.md"
START, END = "<!-- formats:start -->", "<!-- formats:end -->"


def _headings(kind: str, column: str) -> str:
    spellings = [column] + [s for s in HEADER_SPELLINGS.get(column, []) if s != column]
    spellings += [s for s, c in KIND_ALIASES.get(kind, {}).items() if c == column and s not in spellings]
    return ", ".join(f"`{s.replace('_', ' ')}`" for s in spellings[:6])


def _required(column) -> str:
    if column.from_option:
        return "yes, or the option"
    return "yes" if column.required else ""


def render() -> str:
    parts = []
    for kind in KINDS.values():
        parts.append(f"### {kind.title} (`{kind.name}`)\n")
        parts.append(f"{kind.description} Example: [`examples/{kind.example}`](examples/{kind.example}). "
                     f"A row is identified by {', '.join(f'`{k}`' for k in kind.natural_key)}: a later file "
                     "with the same key replaces it.\n")
        parts.append("| column | required | what it holds | headings accepted |")
        parts.append("|---|---|---|---|")
        for column in kind.columns:
            parts.append(f"| `{column.name}` | {_required(column)} | {column.description} | "
                         f"{_headings(kind.name, column.name)} |")
        for note in kind.notes:
            parts.append(f"\n{note}")
        parts.append("")
    return "\n".join(parts)


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(before + START + "\n" + render() + END + after, encoding="utf-8")


if __name__ == "__main__":
    write()
    print(f"wrote {DOC}")
