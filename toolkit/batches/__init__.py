"""Resumable batches: a file's rows sent in transactions so that a rerun after any crash
finishes exactly what the file says, never twice.

``journal.py`` records each signed transaction before it is sent; ``sender.py`` settles a
journal against the chain and sends batches (the crash-resume rule is its docstring);
``run.py`` is a whole run and its report. Used by ``holders import`` and ``issue --csv``, and
by any later command that sends a file's rows (dividend payments, for instance).
"""
