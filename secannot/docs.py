"""Markdown tables for the README, generated from the code that defines them.

``tests/test_readme.py`` checks that the README carries exactly these tables,
so the documentation cannot drift from the column dictionary or exit codes.
"""

from __future__ import annotations

from secannot.columns import ANNOTATE_COLUMNS, JSON_FIELDS, PREDICT_COLUMNS
from secannot.errors import EXIT_CODE_HELP


def columns_markdown() -> str:
    predict = {c.name for c in PREDICT_COLUMNS}
    lines = ["| column | in | meaning |", "|---|---|---|"]
    for col in ANNOTATE_COLUMNS:
        where = "predict, annotate" if col.name in predict else "annotate"
        lines.append(f"| `{col.name}` | {where} | {col.description} |")
    return "\n".join(lines)


def json_fields_markdown() -> str:
    """The keys JSON Lines records hold besides the columns (``columns.JSON_FIELDS``)."""
    lines = ["| key | present | meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.present} | {f.description} |" for f in JSON_FIELDS]
    return "\n".join(lines)


def exit_codes_markdown() -> str:
    lines = ["| code | meaning |", "|---|---|"]
    lines += [f"| {int(code)} | {text} |" for code, text in EXIT_CODE_HELP.items()]
    return "\n".join(lines)


def fill(readme: str) -> str:
    """The README with the generated tables replaced between their markers."""
    tables = (("columns", columns_markdown()), ("json-fields", json_fields_markdown()),
              ("exit-codes", exit_codes_markdown()))
    for name, table in tables:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, _, rest = readme.partition(start)
        _, _, tail = rest.partition(end)
        readme = f"{head}{start}\n{table}\n{end}{tail}"
    return readme


if __name__ == "__main__":  # python -m secannot.docs [README.md]
    import sys

    path = sys.argv[1] if len(sys.argv) > 1 else "README.md"
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(fill(text))
