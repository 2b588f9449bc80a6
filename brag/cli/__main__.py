"""``python -m brag.cli``: the same as the ``brag`` command."""

from . import main

main()
