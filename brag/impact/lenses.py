"""Stage 4, audience lenses: what a CFO, CTO, CEO, manager or peer weighs most.

:data:`LENSES` holds the built-in readers; :func:`load_lenses` adds or changes
them from ``[lenses.NAME]`` in brag.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import BragError, ConfigError
from .metrics import METRIC_KINDS


@dataclass
class Lens:
    """How one kind of reader weighs work (seeds/000: "same proposal, three framings").

    ``weights`` multiply an impact area's points (1.0 when an area is not
    listed); ``leverage`` does the same for leverage types. ``technical``
    says whether the reader speaks engineering: when False, reframed text has
    its jargon translated through the glossary. ``lead`` is the phrasing: the
    kinds of number this reader wants in the first words of a bullet (a CFO
    money, a CTO time and multipliers), in order of preference.
    """

    name: str
    description: str
    weights: dict[str, float]
    technical: bool = False
    leverage: dict[str, float] = field(default_factory=dict)
    lead: tuple[str, ...] = ()

    def weight(self, area: str) -> float:
        return float(self.weights.get(area, 1.0))

    def leverage_weight(self, leverage: str) -> float:
        return float(self.leverage.get(leverage, 1.0))


DEFAULT_LENS = "manager"

LENSES: dict[str, Lens] = {
    "manager": Lens(
        "manager",
        "Your manager: goals met and team growth, with risks surfaced early.",
        {
            "revenue": 1.2, "cost": 1.1, "risk": 1.2, "customer": 1.2, "retention": 1.1,
            "velocity": 1.2, "quality": 1.1, "people": 1.6, "strategy": 1.3,
        },
        technical=False,
        leverage={"interpersonal": 1.2, "strategic": 1.1},
    ),
    "exec": Lens(
        "exec",
        "A CEO or VP: customers, revenue and competitive advantage.",
        {
            "revenue": 2.0, "cost": 1.2, "risk": 1.0, "customer": 2.0, "retention": 1.6,
            "velocity": 0.6, "quality": 0.5, "people": 0.6, "strategy": 1.8,
        },
        technical=False,
        leverage={"strategic": 1.4},
        lead=("money", "percent", "count"),
    ),
    "cfo": Lens(
        "cfo",
        "Finance: cost reduction and revenue, in money.",
        {
            "revenue": 2.0, "cost": 2.2, "risk": 1.0, "customer": 0.9, "retention": 1.4,
            "velocity": 0.8, "quality": 0.4, "people": 0.5, "strategy": 0.8,
        },
        technical=False,
        lead=("money", "percent"),
    ),
    "cto": Lens(
        "cto",
        "A CTO: risk mitigation, engineering velocity and leverage.",
        {
            "revenue": 0.8, "cost": 1.1, "risk": 2.0, "customer": 1.0, "retention": 0.8,
            "velocity": 1.9, "quality": 1.3, "people": 1.1, "strategy": 1.4,
        },
        technical=True,
        leverage={"strategic": 1.5, "expert": 1.3, "interpersonal": 1.3},
        lead=("duration", "multiplier", "percent", "change"),
    ),
    "peer": Lens(
        "peer",
        "Fellow engineers: the technical substance.",
        {
            "revenue": 0.6, "cost": 0.8, "risk": 1.3, "customer": 0.9, "retention": 0.6,
            "velocity": 1.6, "quality": 2.0, "people": 1.0, "strategy": 0.9,
        },
        technical=True,
        leverage={"expert": 1.5},
        lead=("duration", "multiplier", "change", "count"),
    ),
}  # fmt: skip

#: Other names people use for the built-in audiences.
LENS_ALIASES = {
    "ceo": "exec",
    "executive": "exec",
    "executives": "exec",
    "vp": "exec",
    "leadership": "exec",
    "finance": "cfo",
    "boss": "manager",
    "em": "manager",
    "peers": "peer",
    "engineer": "peer",
    "engineers": "peer",
    "team": "peer",
}


def get_lens(name: str | None = None, lenses: Mapping[str, Lens] | None = None) -> Lens:
    """The lens called ``name`` (default: manager); unknown names list the known ones."""
    table = lenses if lenses is not None else LENSES
    key = (name or DEFAULT_LENS).strip().lower()
    if key not in table:
        key = LENS_ALIASES.get(key, key)
    if key not in table:
        known = ", ".join(sorted(table))
        raise BragError(f"unknown audience {name!r}; known audiences: {known}")
    return table[key]


def load_lenses(config: Mapping[str, Any] | None = None) -> dict[str, Lens]:
    """Built-in lenses plus those defined under ``[lenses.<name>]`` in brag.toml.

    A user lens may set ``description``, ``weights = {area = float}``,
    ``leverage = {type = float}``, ``technical = bool`` and ``extends``. It
    starts from its ``extends`` lens (by default the built-in of the same
    name when redefining one, else ``manager``) and overrides only what it
    sets, so ``[lenses.cfo] weights = {risk = 1.5}`` tweaks one number.
    """
    result = {name: _copy_lens(lens) for name, lens in LENSES.items()}
    section = (config or {}).get("lenses", {})
    if not isinstance(section, Mapping):
        raise ConfigError("[lenses] in brag.toml must be a table of lens tables")
    for raw_name, spec in section.items():
        name = str(raw_name).strip().lower()
        if not isinstance(spec, Mapping):
            raise ConfigError(f"[lenses.{raw_name}] must be a table")
        unknown = set(spec) - {"description", "weights", "leverage", "technical", "extends", "lead"}
        if unknown:
            raise ConfigError(f"[lenses.{raw_name}] has unknown keys: {', '.join(sorted(unknown))}")
        parent_name = str(spec.get("extends", name if name in result else DEFAULT_LENS)).lower()
        parent_name = LENS_ALIASES.get(parent_name, parent_name)
        if parent_name not in result:
            known = ", ".join(sorted(result))
            raise ConfigError(
                f"[lenses.{raw_name}] extends unknown lens {parent_name!r}; known: {known}"
            )
        parent = result[parent_name]
        technical = spec.get("technical", parent.technical)
        if not isinstance(technical, bool):
            raise ConfigError(f"lenses.{raw_name}.technical must be true or false")
        description = spec.get(
            "description",
            parent.description
            if parent_name == name
            else f"Custom audience based on {parent_name}.",
        )
        if not isinstance(description, str):
            raise ConfigError(f"lenses.{raw_name}.description must be a string")
        result[name] = Lens(
            name,
            description,
            {**parent.weights, **_weights(spec.get("weights", {}), f"lenses.{raw_name}.weights")},
            technical,
            {
                **parent.leverage,
                **_weights(spec.get("leverage", {}), f"lenses.{raw_name}.leverage"),
            },
            _lead(spec.get("lead", parent.lead), f"lenses.{raw_name}.lead"),
        )
    return result


def _lead(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or any(v not in METRIC_KINDS for v in value):
        raise ConfigError(f"{where} must be a list of: {', '.join(METRIC_KINDS)}")
    return tuple(value)


def _copy_lens(lens: Lens) -> Lens:
    return Lens(
        lens.name,
        lens.description,
        dict(lens.weights),
        lens.technical,
        dict(lens.leverage),
        lens.lead,
    )


def _weights(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table of name = number")
    weights: dict[str, float] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where}.{key} must be a number >= 0")
        weights[str(key).strip().lower()] = float(value)
    return weights


def _as_lens(lens: Lens | str | None) -> Lens:
    return lens if isinstance(lens, Lens) else get_lens(lens)
