"""The Typer application: the root options and one registered command per module."""

from __future__ import annotations

from typing import Annotated

import typer

from secannot import TOOL_NAME
from secannot.cli import annotate, check, evaluate, plot, predict, rules, summarize
from secannot.cli.common import exit_code
from secannot.cli.streams import exit_code_help
from secannot.cli.version import version_text

ROOT_HELP = (
    "secannot: which proteins a cell secretes, and what they mean in a tumour.\n\n"
    "Predicts classical (Sec) signal peptides and their cleavage sites, tells secreted from "
    "membrane, GPI-anchored and ER-retained proteins, flags leaderless secretion, and annotates "
    "hits with tumour-microenvironment cell sources, cancer processes and clinical status from "
    "versioned rule files.\n\n"
    "\b\nExamples:\n"
    "  secannot predict proteins.fasta > predictions.tsv\n"
    "  zcat proteome.fa.gz | secannot annotate - --format jsonl | head\n"
    "  secannot annotate --uniprot P15692,P05231 --gene KLK3\n"
    "  secannot evaluate benchmark.3line\n"
    "  secannot rules show VEGFA\n\n"
)


def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", help="Print tool, model and rules versions.")] = False,
) -> None:
    if version:
        ctx.obj.stdout.write(version_text())
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    """The command tree; each command's function lives in its own module."""
    from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS

    codes = exit_code_help()
    app = typer.Typer(
        name=TOOL_NAME,
        add_completion=True,  # Typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell)
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        help=ROOT_HELP + codes,
    )
    app.callback(invoke_without_command=True)(root)
    # The exit-code table is in the top-level help only; each command points to it once.
    see = "Exit codes: see 'secannot --help'."
    predict_epilog = predict.columns_help(PREDICT_COLUMNS) + "\n\n" + predict.VERDICT_HELP + "\n\n" + see
    app.command(epilog=predict_epilog)(exit_code(predict.predict))
    annotate_epilog = predict.columns_help(ANNOTATE_COLUMNS) + "\n\n" + predict.VERDICT_HELP + "\n\n" + see
    app.command(epilog=annotate_epilog)(exit_code(annotate.annotate))
    app.command(epilog=see)(exit_code(evaluate.evaluate))
    app.command(epilog=summarize.summary_help() + "\n\n" + see)(exit_code(summarize.summarize))
    app.command(epilog=see)(exit_code(plot.plot))
    app.command(epilog=see)(exit_code(check.check))

    rules_app = typer.Typer(help="Inspect, check and compare rule files.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(rules_app, name="rules")
    rules_app.command("lint", epilog=see)(exit_code(rules.lint))
    rules_app.command("show", epilog=see)(exit_code(rules.show))
    rules_app.command("diff", epilog=see)(exit_code(rules.diff))
    return app
