"""Input and output: FASTA reading, headers, tables, writers, diagnostics and progress.

Everything that touches bytes from a user or writes bytes for one lives here,
so that the models never see a file handle and the writers never see a model.
"""
