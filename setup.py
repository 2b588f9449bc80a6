"""Which packages the distribution holds: ``brag`` and every subpackage found under
``brag/`` (so a new one is never left out of the wheel), plus ``brag.plugins``
and ``brag.templates``, which pyproject.toml maps from ``plugins/`` and
``templates/``. Everything else is declared in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["brag", "brag.*"]) + ["brag.plugins", "brag.templates"])
