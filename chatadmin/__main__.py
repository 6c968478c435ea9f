"""``python -m chatadmin``: the same as the ``chatadmin`` command."""

from chatadmin.cli import main

main()
