"""``equity captable report``: the cap table as a page a board would rather read.

- ``collect``   the shell: everything the report shows, read from the chain at one block
- ``unlocks``   lock-up lots -> the month-by-month unlock schedule (pure, exact integers)
- ``sections``  collected data -> sections of figures and tables (pure; ``SECTIONS`` in order)
- ``html``      sections -> one self-contained HTML file (plotly inlined, Jinja2 template)
- ``api``       ``write_report``: collect, build and write, for the CLI and scripts
"""
