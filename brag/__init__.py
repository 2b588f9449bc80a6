"""brag: a git-backed accomplishment journal for software engineers."""

__version__ = "0.1.0"
