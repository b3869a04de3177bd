"""Vetting settings: the order of sufficiency of levels, renewal periods, the due window.

Defaults come from the contract (`probity.extract.schema.VETTING_LEVEL_ORDER`) and the domain
facts (docs/vetting.md lists the source of each default and which ones are unverified). A force
overrides any of them with a TOML or JSON file (`probity vetting report --settings FILE`):

```toml
due_days = 60
derive_expiry_from_renewal = true   # a granted clearance with no expires_on expires
                                    # renewal_years after decided_on
[level_order]                       # higher = more sufficient; a clearance satisfies a post
mv = 5                              # when its rank is at least the post's
[renewal_years]
nppv1 = 3
ctc = 0                             # 0 = no fixed period
```
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from probity.errors import ConfigurationError
from probity.extract.schema import VETTING_LEVEL_ORDER, VETTING_LEVELS

__all__ = [
    "DEFAULT_DUE_DAYS",
    "DEFAULT_RENEWAL_YEARS",
    "LEVEL_NAMES",
    "VettingSettings",
    "load_vetting_settings",
]

DEFAULT_DUE_DAYS = 90

# Renewal period in whole years, per level; None = no fixed period. Only RV (10 years) is
# supported by the domain facts as a police rule; SC (10) and DV (7) follow Cabinet Office
# policy (secondary sources); the rest are unverified working defaults (docs/vetting.md).
DEFAULT_RENEWAL_YEARS: Mapping[str, int | None] = MappingProxyType({
    "rv": 10,      # APP para 6.11 as quoted in FOI requests (secondary): supported
    "mv": 7,       # unverified
    "nppv1": 3,    # unverified
    "nppv2a": 5,   # unverified
    "nppv2f": 5,   # unverified
    "nppv3": 5,    # unverified (the APP has an annual NPPV3 notice besides)
    "ctc": 5,      # unverified: CTC period not found
    "sc": 10,      # Cabinet Office policy (secondary)
    "dv": 7,       # Cabinet Office policy (secondary)
})

LEVEL_NAMES: Mapping[str, str] = MappingProxyType({
    "rv": "Recruitment Vetting",
    "mv": "Management Vetting",
    "nppv1": "Non-Police Personnel Vetting level 1",
    "nppv2a": "Non-Police Personnel Vetting level 2 (abbreviated)",
    "nppv2f": "Non-Police Personnel Vetting level 2 (full)",
    "nppv3": "Non-Police Personnel Vetting level 3",
    "ctc": "Counter-Terrorist Check",
    "sc": "Security Check",
    "dv": "Developed Vetting",
})


@dataclass(frozen=True)
class VettingSettings:
    """How the register judges clearances. Immutable; build variants with `with_changes`."""

    level_order: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(dict(VETTING_LEVEL_ORDER)))
    renewal_years: Mapping[str, int | None] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_RENEWAL_YEARS)))
    due_days: int = DEFAULT_DUE_DAYS
    # Off by default: a granted clearance with an empty expires_on counts as current (the
    # report's published rule). On: its expiry is decided_on + renewal_years[level].
    derive_expiry_from_renewal: bool = False
    source: str = "defaults"

    def __post_init__(self) -> None:
        errors = _check(level_order=self.level_order, renewal_years=self.renewal_years,
                        due_days=self.due_days, source=self.source)
        if errors:
            raise ConfigurationError(
                f"vetting settings from {self.source} are invalid:\n  " + "\n  ".join(errors))
        object.__setattr__(self, "level_order", MappingProxyType(dict(self.level_order)))
        object.__setattr__(self, "renewal_years", MappingProxyType(dict(self.renewal_years)))

    def rank(self, level: str) -> int:
        return self.level_order[level]

    def satisfies(self, *, held: str, required: str) -> bool:
        """True when a clearance at `held` is sufficient for a post requiring `required`."""
        return self.level_order[held] >= self.level_order[required]

    def with_changes(self, **changes: Any) -> VettingSettings:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level_order": dict(self.level_order),
            "renewal_years": dict(self.renewal_years),
            "due_days": self.due_days,
            "derive_expiry_from_renewal": self.derive_expiry_from_renewal,
            "source": self.source,
        }


def _check(*, level_order: Mapping[str, Any], renewal_years: Mapping[str, Any], due_days: Any,
           source: str) -> list[str]:
    errors: list[str] = []
    known = ", ".join(VETTING_LEVELS)
    for level, rank in level_order.items():
        if level not in VETTING_LEVELS:
            errors.append(f"level_order.{level}: unknown level {level!r}; expected one of {known}")
        elif isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
            errors.append(f"level_order.{level}: value {rank!r} is not a whole number >= 0")
    missing = [lvl for lvl in VETTING_LEVELS if lvl not in level_order]
    if missing:
        errors.append(f"level_order: no rank for {', '.join(missing)}; every level needs one")
    for level, years in renewal_years.items():
        if level not in VETTING_LEVELS:
            errors.append(f"renewal_years.{level}: unknown level {level!r}; expected one of {known}")
        elif years is not None and (isinstance(years, bool) or not isinstance(years, int)
                                    or years < 0 or years > 100):
            errors.append(f"renewal_years.{level}: value {years!r} is not a whole number of "
                          "years from 0 to 100 (0 = no fixed period)")
    if isinstance(due_days, bool) or not isinstance(due_days, int) or not 0 <= due_days <= 3660:
        errors.append(f"due_days: value {due_days!r} is not a whole number of days from 0 to 3660")
    return errors


_KEYS = {"level_order", "renewal_years", "due_days", "derive_expiry_from_renewal"}


def load_vetting_settings(path: Path | str | None = None) -> VettingSettings:
    """Defaults, overridden by a TOML (.toml) or JSON (.json) file when `path` is given.

    Keys left out keep their default. Raises ConfigurationError naming the file, the key and the
    value for anything it cannot use.
    """
    if path is None:
        return VettingSettings()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read vetting settings {path}: {exc.strerror}") from exc
    try:
        if path.suffix.lower() == ".json":
            data: Any = json.loads(text)
        elif path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            raise ConfigurationError(
                f"vetting settings {path}: unknown file type {path.suffix!r}; use .toml or .json")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"vetting settings {path} is not valid {path.suffix[1:]}: {exc}"
                                 ) from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"vetting settings {path}: expected a table/object at the top")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigurationError(
            f"vetting settings {path}: unknown key(s) {', '.join(unknown)}; "
            f"expected {', '.join(sorted(_KEYS))}")
    for key in ("level_order", "renewal_years"):
        if key in data and not isinstance(data[key], dict):
            raise ConfigurationError(f"vetting settings {path}: {key} must be a table/object, "
                                     f"not {data[key]!r}")
    order = dict(VETTING_LEVEL_ORDER)
    order.update(data.get("level_order", {}))
    renewal: dict[str, int | None] = dict(DEFAULT_RENEWAL_YEARS)
    for level, years in data.get("renewal_years", {}).items():
        renewal[level] = None if years == 0 and not isinstance(years, bool) else years
    derive = data.get("derive_expiry_from_renewal", False)
    if not isinstance(derive, bool):
        raise ConfigurationError(f"vetting settings {path}: derive_expiry_from_renewal must be "
                                 f"true or false, not {derive!r}")
    return VettingSettings(level_order=order, renewal_years=renewal,
                           due_days=data.get("due_days", DEFAULT_DUE_DAYS),
                           derive_expiry_from_renewal=derive, source=str(path))
