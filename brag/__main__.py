"""``python -m brag``: the same as the ``brag`` command."""

from .launch import main

main()
