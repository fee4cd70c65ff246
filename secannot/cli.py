"""Command-line interface: option parsing only; the work happens in core modules.

``main(argv, stdout, stderr, stdin)`` is injectable for tests and embedding.
Domain errors (``SecannotError``) become one ``error: ...`` line on stderr and
their exit code; they never show a traceback.
"""


import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, BinaryIO, TextIO

from secannot import TOOL_NAME, __version__
from secannot.errors import EXIT_CODE_HELP, ExitCode, SecannotError, UsageError

INPUT_OPTIONS = ("inputs", "uniprot", "uniprot_list", "gene", "gene_list")


def version_text() -> str:
    """Tool, model and rules versions, read without numpy or a YAML parser (fast)."""
    import json
    from importlib import resources

    from secannot.ruleset import bundled_version_fast

    meta = json.loads((resources.files("secannot") / "data" / "sp_model.json").read_text(encoding="utf-8"))
    nc = json.loads((resources.files("secannot") / "data" / "nc_model.json").read_text(encoding="utf-8"))
    return (
        f"{TOOL_NAME} {__version__}\n"
        f"model {meta['name']} {meta['version']}\n"
        f"nc-model {nc['name']} {nc['version']}\n"
        f"rules {bundled_version_fast()}\n"
    )


def exit_code_help() -> str:
    lines = ["\b", "Exit codes:"] + [f"  {int(code):>3}  {text}" for code, text in EXIT_CODE_HELP.items()]
    return "\n".join(lines)


@dataclass
class IO:
    """The streams and raw arguments of one invocation."""

    stdout: TextIO
    stderr: TextIO
    stdin: BinaryIO | None
    argv: list[str] = field(default_factory=list)


def ordered_inputs(command, args: Sequence[str], params: dict[str, object]) -> list[tuple[str, str]]:
    """(option, value) for every input in the order the user typed them.

    Click groups values by option, losing the interleaving of FASTA files and
    ids; the order is recovered by scanning the raw arguments with the
    command's own option table, and checked against Click's parsed values.
    """
    by_name: dict[str, object] = {}
    for p in command.params:
        if getattr(p, "param_type_name", "") == "option":
            for name in [*p.opts, *p.secondary_opts]:
                by_name[name] = p
    order: list[tuple[str, str]] = []
    it = iter(args)
    only_positional = False
    for token in it:
        if only_positional or token == "-" or not token.startswith("-"):
            order.append(("input", token))
            continue
        if token == "--":
            only_positional = True
            continue
        name, eq, attached = token.partition("=")
        opt = by_name.get(name)
        if opt is None and not token.startswith("--") and len(token) > 2:
            opt = by_name.get(token[:2])  # -j4 or a cluster of flags
            if opt is not None and not opt.is_flag:
                attached, eq = token[2:], "="
        if opt is None:
            continue
        if opt.is_flag or opt.count:
            continue
        value = attached if eq else next(it, "")
        if opt.name in INPUT_OPTIONS:
            order.append((opt.name, value))
    expected = [("input", v) for v in params.get("inputs") or ()]
    for name in INPUT_OPTIONS[1:]:
        expected += [(name, v) for v in params.get(name) or ()]
    if sorted(order) != sorted(expected):  # e.g. values from defaults/env: fall back to Click's grouping
        return expected
    return order


def _build_app():  # noqa: C901 - one function keeps the Typer wiring readable in one place
    import typer

    from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS

    def columns_help(columns) -> str:
        width = max(len(c.name) for c in columns)
        return "\n".join(["\b", "Output columns (TSV; the same keys in JSON):"]
                         + [f"  {c.name:<{width}}  {c.description}" for c in columns])

    verdict_help = "\n".join([
        "\b",
        "How the verdict is reached (localization):",
        "  with a signal peptide: a TM helix in the mature chain -> membrane; else a C-terminal",
        "    GPI signal (omega site + hydrophobic tail) -> gpi_anchored; else a C-terminal ER",
        "    retention motif [KRHQSA][DENQ]EL (PROSITE PS00014) -> er_retained; else secreted.",
        "  without: a TM helix -> membrane (an uncleaved N-terminal one is a signal anchor);",
        "    else a rules/nonclassical.yaml match or nc_score >= threshold -> route non-classical,",
        "    localization non_classical_candidate; else intracellular.",
    ])
    app = typer.Typer(
        name=TOOL_NAME,
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        help=(
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
            "  secannot rules show VEGFA\n\n" + exit_code_help()
        ),
    )

    @app.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
        version: Annotated[bool, typer.Option("--version", "-V", help="Print tool, model and rules versions.")] = False,
    ) -> None:
        if version:
            ctx.obj.stdout.write(version_text())
            raise typer.Exit(0)

    # -- shared option types -------------------------------------------------------
    Inputs = Annotated[list[str] | None, typer.Argument(metavar="[INPUT]...", help="FASTA files (plain, gzip, bzip2, xz); '-' or nothing reads stdin.", show_default=False)]
    Fmt = Annotated[str, typer.Option("--format", "-f", help="Output format: tsv, jsonl, json or gff3.", case_sensitive=False)]
    Output = Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.", metavar="FILE")]
    Organism = Annotated[str, typer.Option("--organism", help="Organism group: eukarya (default), gram-negative, gram-positive or archaea.")]
    Jobs = Annotated[int, typer.Option("--jobs", "-j", envvar="SECANNOT_JOBS", help="Worker processes for large inputs (env SECANNOT_JOBS).", min=1)]
    Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
    Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="More detail on stderr.")]
    Rules = Annotated[list[str] | None, typer.Option("--rules", help="Extra rule directory layered over the bundled rules (repeatable).", metavar="DIR")]
    Uniprot = Annotated[list[str] | None, typer.Option("--uniprot", help="UniProt accession(s), comma-separated, repeatable.", metavar="ACC")]
    UniprotList = Annotated[list[str] | None, typer.Option("--uniprot-list", help="File of accessions, one per line ('-' = stdin; # comments).", metavar="FILE")]
    Gene = Annotated[list[str] | None, typer.Option("--gene", help="Gene symbol(s) mapped through UniProt, comma-separated, repeatable.", metavar="SYMBOL")]
    GeneList = Annotated[list[str] | None, typer.Option("--gene-list", help="File of gene symbols, one per line ('-' = stdin).", metavar="FILE")]
    Taxon = Annotated[int, typer.Option("--taxon", help="NCBI taxon for gene symbols.")]
    UniprotUrl = Annotated[str | None, typer.Option("--uniprot-url", envvar="SECANNOT_UNIPROT_URL", help="UniProt REST base URL (env SECANNOT_UNIPROT_URL).")]
    Email = Annotated[str | None, typer.Option("--email", help="Contact address sent in the User-Agent to UniProt.")]
    Offline = Annotated[bool, typer.Option("--offline", help="Use only the UniProt cache (env SECANNOT_CACHE_DIR); name what is missing.")]
    Model = Annotated[str | None, typer.Option("--model", help="Signal-peptide weights (.npz with .json beside it).", metavar="NPZ", hidden=True)]
    NcThreshold = Annotated[float | None, typer.Option("--nc-threshold", help="nc_score threshold for leaderless secretion (default: the model's).", min=0.0, max=1.0)]

    def job(ctx: typer.Context, *, annotate: bool, inputs, fmt, output, organism, jobs, quiet, verbose, rules,
            uniprot, uniprot_list, gene, gene_list, taxon, uniprot_url, email, offline, model, nc_threshold,
            signal_only: bool = False, table=None) -> int:
        from secannot.diagnostics import Diagnostics
        from secannot.inputs import expand_sources
        from secannot.pipeline import PredictConfig
        from secannot.progress import wants_progress
        from secannot.runner import JobConfig, run_job
        from secannot.writers import FORMATS

        io: IO = ctx.obj
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise UsageError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
        diag = Diagnostics(io.stderr, verbosity=-1 if quiet else (1 if verbose else 0))
        predict_config = PredictConfig(
            organism=organism, model_path=model, nc_threshold=nc_threshold,
            rules_dirs=tuple(rules or ()), jobs=jobs, localize=not signal_only,
        )
        if table is not None:
            from secannot.runner import open_output
            from secannot.table import annotate_table

            if inputs or uniprot or uniprot_list or gene or gene_list:
                raise UsageError("--tsv annotates a table; do not combine it with FASTA inputs or id options")
            config = JobConfig(predict=predict_config, fmt=fmt, output=output, annotate=True,
                               uniprot=_uniprot_config(uniprot_url, email, offline, taxon))
            with open_output(output, io.stdout) as out:
                return int(annotate_table(table, config, out, io.stdin, diag))
        params = {"inputs": inputs, "uniprot": uniprot, "uniprot_list": uniprot_list, "gene": gene, "gene_list": gene_list}
        raw = ordered_inputs(ctx.command, io.argv[1:], params)
        if not raw:
            raw = [("input", "-")]
        sources = expand_sources(raw, _stdin_text(io))
        uniprot_config = None
        if any(s.kind != "fasta" for s in sources):
            uniprot_config = _uniprot_config(uniprot_url, email, offline, taxon)
        config = JobConfig(predict=predict_config, fmt=fmt, output=output, annotate=annotate,
                           uniprot=uniprot_config, progress=wants_progress(io.stderr, quiet))
        stdin = None if any(v == "-" for k, v in raw if k != "input") else io.stdin
        return int(run_job(config, sources, io.stdout, stdin, diag, io.stderr))

    @app.command(epilog=columns_help(PREDICT_COLUMNS) + "\n\n" + verdict_help + "\n\n" + exit_code_help())
    @exit_code
    def predict(
        ctx: typer.Context,
        inputs: Inputs = None,
        fmt: Fmt = "tsv",
        output: Output = None,
        organism: Organism = "eukarya",
        uniprot: Uniprot = None,
        uniprot_list: UniprotList = None,
        gene: Gene = None,
        gene_list: GeneList = None,
        taxon: Taxon = 9606,
        jobs: Jobs = 1,
        quiet: Quiet = False,
        verbose: Verbose = False,
        rules: Rules = None,
        uniprot_url: UniprotUrl = None,
        email: Email = None,
        offline: Offline = False,
        model: Model = None,
        nc_threshold: NcThreshold = None,
        signal_only: Annotated[bool, typer.Option("--signal-only", help="Only the signal-peptide model: skip localisation and leaderless scoring (fastest).")] = False,
    ) -> int:
        """Predict signal peptides, cleavage sites and localisation.

        \b
        Examples:
          secannot predict proteins.fasta
          cat proteins.fasta | secannot predict - --format gff3 > sp.gff3
          secannot predict --uniprot P01308 --format json
        """
        return job(ctx, annotate=False, inputs=inputs, fmt=fmt, output=output, organism=organism, jobs=jobs,
                   quiet=quiet, verbose=verbose, rules=rules, uniprot=uniprot, uniprot_list=uniprot_list, gene=gene,
                   gene_list=gene_list, taxon=taxon, uniprot_url=uniprot_url, email=email, offline=offline,
                   model=model, nc_threshold=nc_threshold, signal_only=signal_only)

    @app.command(epilog=columns_help(ANNOTATE_COLUMNS) + "\n\n" + exit_code_help())
    @exit_code
    def annotate(
        ctx: typer.Context,
        inputs: Inputs = None,
        fmt: Fmt = "tsv",
        output: Output = None,
        organism: Organism = "eukarya",
        uniprot: Uniprot = None,
        uniprot_list: UniprotList = None,
        gene: Gene = None,
        gene_list: GeneList = None,
        taxon: Taxon = 9606,
        jobs: Jobs = 1,
        quiet: Quiet = False,
        verbose: Verbose = False,
        rules: Rules = None,
        uniprot_url: UniprotUrl = None,
        email: Email = None,
        offline: Offline = False,
        model: Model = None,
        nc_threshold: NcThreshold = None,
        tsv: Annotated[str | None, typer.Option("--tsv", help="Annotate the rows of a TSV/CSV table ('-' = stdin); keeps every column and row.", metavar="TABLE")] = None,
        id_column: Annotated[str | None, typer.Option("--id-column", help="Column of the table holding accessions, gene symbols or sp|ACC|NAME.", metavar="COL")] = None,
        sep: Annotated[str | None, typer.Option("--sep", help="Table delimiter (default: detected from the header; 'tab' or ',').")] = None,
        sequence_column: Annotated[str | None, typer.Option("--sequence-column", help="Column with protein sequences; rows with one need no UniProt fetch.", metavar="COL")] = None,
    ) -> int:
        """Predict, then annotate with TME cell sources, processes and clinical status.

        Proteins are matched to the rules by UniProt accession, GN= gene and entry
        name from UniProt-style headers (sp|P15692|VEGFA_HUMAN ... GN=VEGFA), or by a
        bare accession as the id. JSON output carries every claim with its evidence.

        \b
        Examples:
          secannot annotate examples/reference.fasta
          secannot annotate --uniprot P15692 --gene KLK3 --format json
          secannot annotate proteins.fasta --rules my_rules/ -o annotated.tsv
          secannot annotate --tsv hits.csv --id-column protein
        """
        table = None
        if tsv is not None:
            from secannot.table import TableConfig

            if not id_column:
                raise UsageError("--tsv needs --id-column COL")
            table = TableConfig(tsv, id_column, sep, sequence_column)
        elif id_column or sequence_column:
            raise UsageError("--id-column and --sequence-column only apply with --tsv")
        return job(ctx, annotate=True, inputs=inputs, fmt=fmt, output=output, organism=organism, jobs=jobs,
                   quiet=quiet, verbose=verbose, rules=rules, uniprot=uniprot, uniprot_list=uniprot_list, gene=gene,
                   gene_list=gene_list, taxon=taxon, uniprot_url=uniprot_url, email=email, offline=offline,
                   model=model, nc_threshold=nc_threshold, table=table)

    @app.command(epilog=exit_code_help())
    @exit_code
    def evaluate(
        ctx: typer.Context,
        file: Annotated[str, typer.Argument(metavar="FILE", help="SignalP 6.0 .3line benchmark, or an OutCyte-style UPS FASTA.")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        partition: Annotated[list[int] | None, typer.Option("--partition", help="Only these benchmark partitions (repeatable).")] = None,
        model: Model = None,
        nc_threshold: NcThreshold = None,
    ) -> int:
        """Score secannot on a labelled set: detection MCC, precision, recall, cleavage sites.

        The format is detected: three-line records (>ACC|KINGDOM|TYPE|PARTITION,
        sequence, labels) are scored per kingdom for Sec/SPI signal peptides; a FASTA
        with >ACC|UPS|... / >ACC|INTRACELLULAR|... headers scores nc_score (ROC AUC,
        MCC, precision and recall at the threshold).

        \b
        Examples:
          secannot evaluate benchmark_dev.3line
          secannot evaluate benchmark_dev.3line --partition 1 --format json
          secannot evaluate ups_dev.fasta
        """
        from secannot.evaluate import run_evaluate

        io: IO = ctx.obj
        if fmt not in ("text", "json"):
            raise UsageError(f"unknown --format {fmt!r}; choose text or json")
        return int(run_evaluate(file, io.stdout, fmt, tuple(partition or ()), model, nc_threshold))

    def summary_help() -> str:
        from secannot.summarize import SUMMARY_COLUMNS

        width = max(len(n) for n, _ in SUMMARY_COLUMNS)
        return "\n".join(["\b", "Output columns:"] + [f"  {n:<{width}}  {d}" for n, d in SUMMARY_COLUMNS])

    @app.command(epilog=summary_help() + "\n\n" + exit_code_help())
    @exit_code
    def summarize(
        ctx: typer.Context,
        inputs: Annotated[list[str] | None, typer.Argument(metavar="[INPUT]...", help="annotate output (TSV/JSONL/JSON) or FASTA; '-' = stdin.")] = None,
        uniprot: Uniprot = None,
        uniprot_list: UniprotList = None,
        gene: Gene = None,
        gene_list: GeneList = None,
        background: Annotated[str | None, typer.Option("--background", help="Everything detected in the experiment: annotate output, FASTA, or a list of accessions/genes.", metavar="FILE")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="tsv or json.")] = "tsv",
        output: Output = None,
        report: Annotated[str | None, typer.Option("--report", help="Write a self-contained HTML report (needs secannot[report]).", metavar="HTML")] = None,
        plot: Annotated[str | None, typer.Option("--plot", help="Write the enrichment bar chart (.png or .svg; needs secannot[report]).", metavar="FILE")] = None,
        organism: Organism = "eukarya",
        taxon: Taxon = 9606,
        rules: Rules = None,
        quiet: Quiet = False,
        verbose: Verbose = False,
        uniprot_url: UniprotUrl = None,
        email: Email = None,
        offline: Offline = False,
    ) -> int:
        """What a hit list says about the tumour microenvironment.

        Counts routes and localisations, and for every cell source, cancer process and
        clinical category the proteins carrying it. With --background, a one-sided
        hypergeometric test per category with Benjamini-Hochberg q-values.

        \b
        Examples:
          secannot annotate hits.fasta --format jsonl > hits.jsonl
          secannot summarize hits.jsonl --background detected.jsonl --report report.html
          secannot summarize --uniprot-list hits.txt --background all_ids.txt --format json
        """
        from secannot.diagnostics import Diagnostics
        from secannot.pipeline import PredictConfig
        from secannot.runner import JobConfig, collect_annotated, open_output
        from secannot.summarize import run_summarize

        io: IO = ctx.obj
        if fmt not in ("tsv", "json"):
            raise UsageError(f"unknown --format {fmt!r}; choose tsv or json")
        diag = Diagnostics(io.stderr, verbosity=-1 if quiet else (1 if verbose else 0))
        config = JobConfig(predict=PredictConfig(organism=organism, rules_dirs=tuple(rules or ())), annotate=True,
                           uniprot=_uniprot_config(uniprot_url, email, offline, taxon))
        params = {"inputs": inputs, "uniprot": uniprot, "uniprot_list": uniprot_list, "gene": gene, "gene_list": gene_list}
        raw = ordered_inputs(ctx.command, io.argv[1:], params) or [("input", "-")]
        records, provenance = collect_annotated(raw, config, io, diag, _stdin_text(io))
        back = None
        if background is not None:
            back, _ = collect_annotated([("background", background)], config, io, diag, _stdin_text(io))
        with open_output(output, io.stdout) as out:
            run_summarize(records, back, out, fmt, report, plot, provenance, diag.warn)
        return int(diag.exit_code)

    @app.command(epilog=exit_code_help())
    @exit_code
    def plot(
        ctx: typer.Context,
        items: Annotated[list[str], typer.Argument(metavar="ID|FASTA...", help="FASTA files, UniProt accessions or gene symbols.")],
        out: Annotated[str, typer.Option("--out", help="FILE.png|.svg (one protein, or _ID is added), FILE.pdf (one page each) or a directory.", metavar="FILE")],
        fmt: Annotated[str | None, typer.Option("--format", "-f", help="png, svg or pdf when --out is a directory.")] = None,
        organism: Organism = "eukarya",
        taxon: Taxon = 9606,
        uniprot_url: UniprotUrl = None,
        email: Email = None,
        offline: Offline = False,
    ) -> int:
        """Draw per-residue signal-peptide probability and the whole-protein track.

        \b
        Examples:
          secannot plot P05067 --out app.png
          secannot plot proteins.fasta --out plots.pdf
        """
        from secannot.diagnostics import Diagnostics
        from secannot.pipeline import PredictConfig
        from secannot.plotting import require_matplotlib, run_plot
        from secannot.runner import predict_for_plot

        io: IO = ctx.obj
        require_matplotlib()
        diag = Diagnostics(io.stderr)
        raw = [("input", i) if (i == "-" or os.path.exists(i)) else ("uniprot" if _is_accession(i) else "gene", i)
               for i in items]
        triples = predict_for_plot(raw, PredictConfig(organism=organism), _uniprot_config(uniprot_url, email, offline, taxon),
                                   io, diag, _stdin_text(io))
        for path in run_plot(triples, out, fmt):
            io.stdout.write(f"{path}\n")
        return int(diag.exit_code)

    @app.command(epilog=exit_code_help())
    @exit_code
    def check(
        ctx: typer.Context,
        files: Annotated[list[str], typer.Argument(metavar="FILE...", help="Id lists (one per line, # comments), TSV/CSV with --id-column, or FASTA.")],
        id_column: Annotated[str | None, typer.Option("--id-column", help="Column holding the ids in TSV/CSV files.", metavar="COL")] = None,
        sep: Annotated[str | None, typer.Option("--sep", help="Table delimiter (default: detected).")] = None,
        allow_genes: Annotated[bool, typer.Option("--allow-genes", help="Accept gene symbols as well as accessions.")] = False,
        require: Annotated[str | None, typer.Option("--require", help="Every protein must be: secreted, classical or annotated.")] = None,
        organism: Organism = "eukarya",
        taxon: Taxon = 9606,
        rules: Rules = None,
        uniprot_url: UniprotUrl = None,
        email: Email = None,
        offline: Offline = False,
    ) -> int:
        """Check protein lists: valid accessions, no duplicates, optional requirements.

        Findings print as 'file:line: id: message'; the exit code is 0 when clean and 1
        with findings, so it runs as a pre-commit hook (see .pre-commit-hooks.yaml).
        --require predicts: offline for FASTA, through the UniProt cache or network for ids.

        \b
        Examples:
          secannot check panel.txt
          secannot check candidates.tsv --id-column accession --require secreted
        """
        from secannot.check import CheckConfig, check_files
        from secannot.diagnostics import Diagnostics
        from secannot.pipeline import PredictConfig

        io: IO = ctx.obj
        diag = Diagnostics(io.stderr)
        config = CheckConfig(id_column=id_column, sep=sep, allow_genes=allow_genes, require=require,
                             predict=PredictConfig(organism=organism, rules_dirs=tuple(rules or ())),
                             uniprot=_uniprot_config(uniprot_url, email, offline, taxon))
        return int(check_files(files, config, io.stdout, diag, _stdin_text(io)() if "-" in files else None))

    rules_app = typer.Typer(help="Inspect, check and compare rule files.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(rules_app, name="rules")

    @rules_app.command("lint", epilog=exit_code_help())
    @exit_code
    def rules_lint(
        ctx: typer.Context,
        files: Annotated[list[str] | None, typer.Argument(metavar="[FILE|DIR]...", help="Rule files or directories (default: the bundled rules).")] = None,
    ) -> int:
        """Check rule files: schema, vocabularies, accessions, duplicates, evidence.

        Prints one 'file:line: message' per problem and exits 1 when there are
        errors, so it works as a pre-commit hook.
        """
        from secannot.rules_lint import lint_paths
        from secannot.ruleset import bundled_dir

        io: IO = ctx.obj
        paths = list(files) if files else [str(bundled_dir())]
        problems = lint_paths(paths)
        for p in problems:
            io.stdout.write(f"{p}\n")
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            io.stderr.write(f"{len(errors)} error(s) in {len({p.path for p in errors})} file(s)\n")
            return int(ExitCode.FINDINGS)
        return 0

    @rules_app.command("show")
    @exit_code
    def rules_show(
        ctx: typer.Context,
        query: Annotated[str, typer.Argument(metavar="GENE|ACCESSION|ALIAS")],
        rules: Rules = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ) -> int:
        """Print a rule entry and its evidence."""
        import json

        from rich.console import Console

        from secannot.rules_show import entry_as_dict, render_entry
        from secannot.ruleset import RuleSet

        io: IO = ctx.obj
        entries = RuleSet.load(tuple(rules or ())).find(query)
        if not entries:
            io.stderr.write(f"error: no rule entry for {query!r} (try a gene symbol, accession or alias)\n")
            return int(ExitCode.REJECTED)
        if fmt == "json":
            io.stdout.write(json.dumps([entry_as_dict(e) for e in entries], indent=2) + "\n")
            return 0
        console = Console(file=io.stdout, no_color=bool(os.environ.get("NO_COLOR")) or None,
                          width=None if _isatty(io.stdout) else 100)
        for e in entries:
            render_entry(e, console)
        return 0

    @rules_app.command("diff")
    @exit_code
    def rules_diff(
        ctx: typer.Context,
        old_dir: Annotated[str, typer.Argument(metavar="OLD_DIR")],
        new_dir: Annotated[str, typer.Argument(metavar="NEW_DIR")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ) -> int:
        """List added, removed and changed claims between two rule sets."""
        import json
        from pathlib import Path

        from secannot.errors import InputError
        from secannot.rules_diff import diff_as_dict, diff_rule_sets, render_diff
        from secannot.ruleset import read_rule_dir

        io: IO = ctx.obj
        for d in (old_dir, new_dir):
            if not Path(d).is_dir():
                raise InputError(f"{d}: not a directory of rule files")
        changes = diff_rule_sets(read_rule_dir(Path(old_dir), old_dir), read_rule_dir(Path(new_dir), new_dir))
        if fmt == "json":
            io.stdout.write(json.dumps(diff_as_dict(changes), indent=2) + "\n")
        else:
            render_diff(changes, io.stdout)
        return 0

    return app


def _is_accession(text: str) -> bool:
    from secannot.headers import split_accession

    return split_accession(text) is not None


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _stdin_text(io: IO):
    def get() -> TextIO:
        import io as _io

        if io.stdin is None:
            raise UsageError("no standard input available")
        return _io.TextIOWrapper(io.stdin, encoding="utf-8", errors="replace")

    return get


def _uniprot_config(url: str | None, email: str | None, offline: bool, taxon: int):
    from secannot.uniprot import UniProtConfig

    kwargs: dict[str, object] = {"offline": offline, "email": email, "taxon": taxon, "backoff": 0.5}
    if url:
        kwargs["base_url"] = url
    retries = os.environ.get("SECANNOT_UNIPROT_RETRIES")
    if retries:
        if not retries.isdigit():
            raise UsageError(f"SECANNOT_UNIPROT_RETRIES must be a number, got {retries!r}")
        kwargs["max_retries"] = int(retries)
    return UniProtConfig(**kwargs)  # type: ignore[arg-type]


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: BinaryIO | None = None,
) -> int:
    """Run secannot; returns the exit code instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    inp = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if args in (["--version"], ["-V"]):  # fast path: no Typer, no numpy
        out.write(version_text())
        return 0
    from contextlib import redirect_stderr, redirect_stdout

    app = _build_app()
    io = IO(out, err, inp, args)
    try:
        # Typer's standalone mode prints usage errors and help itself and ends
        # with SystemExit; commands end with typer.Exit(code).
        with redirect_stdout(out), redirect_stderr(err):
            app(args=args, prog_name=TOOL_NAME, obj=io)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else int(ExitCode.USAGE)
    except SecannotError as exc:
        err.write(f"error: {exc}\n")
        return int(exc.exit_code)
    return 0


def exit_code(command):
    """Let a command return its exit code; stop quietly on a closed pipe or Ctrl-C."""
    import functools

    import typer

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            code = command(*args, **kwargs)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly.  Point stdout
            # at devnull so the interpreter's final flush does not raise again.
            _silence_stdout()
            code = 0
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            code = int(ExitCode.INTERRUPTED)
        raise typer.Exit(int(code or 0))

    return wrapper


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
