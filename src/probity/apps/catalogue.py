"""The app catalogue (catalogue.toml beside this module) and `classify_apps`.

This is the maintained catalogue of apps that need review on force devices: encrypted and
ephemeral messaging, anonymity and VPN, dating, file sharing, burner numbers. Each entry has an
app id (Android package or iOS bundle), a platform, a name, a risk class and a reason. Risk
classes carry a weight (0..1) for the scan indicator; an entry may override its class weight.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from probity.errors import ProbityError

__all__ = [
    "APP_PLATFORMS",
    "CATALOGUE_FILE",
    "AppEntry",
    "Catalogue",
    "CatalogueInvalid",
    "RiskClass",
    "classify_apps",
    "default_catalogue",
    "load_catalogue",
    "normalise_app_id",
    "normalise_app_name",
]

CATALOGUE_FILE = "catalogue.toml"
APP_PLATFORMS = ("android", "ios")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)+$")
_ENTRY_KEYS = {"app_id", "platform", "name", "risk_class", "reason", "weight"}


class CatalogueInvalid(ProbityError):
    """The app catalogue file breaks its format."""

    exit_code = 2


@dataclass(frozen=True)
class RiskClass:
    key: str
    description: str
    weight: float


@dataclass(frozen=True)
class AppEntry:
    app_id: str
    platform: str
    name: str
    risk_class: str
    reason: str
    weight: float  # the entry's own weight, or its class weight


def normalise_app_id(app_id: str) -> str:
    """Ids are matched ignoring case and surrounding spaces."""
    return app_id.strip().casefold()


def normalise_app_name(name: str) -> str:
    """Names (used only when an export has no id) are matched on letters and digits only."""
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


@dataclass(frozen=True)
class Catalogue:
    version: int
    updated: str
    source: str
    risk_classes: Mapping[str, RiskClass]
    entries: tuple[AppEntry, ...]

    def __post_init__(self) -> None:
        by_id: dict[str, list[AppEntry]] = {}
        by_name: dict[str, list[AppEntry]] = {}
        for e in self.entries:
            by_id.setdefault(normalise_app_id(e.app_id), []).append(e)
            by_name.setdefault(normalise_app_name(e.name), []).append(e)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_name", by_name)

    def __len__(self) -> int:
        return len(self.entries)

    @staticmethod
    def _pick(candidates: list[AppEntry] | None, platform: str | None) -> AppEntry | None:
        if not candidates:
            return None
        if platform:
            for e in candidates:
                if e.platform == platform:
                    return e
        return candidates[0]

    def lookup(self, app_id: str, *, platform: str | None = None) -> AppEntry | None:
        """The entry for an app id (preferring the device's platform when both list it)."""
        by_id: dict[str, list[AppEntry]] = self._by_id  # type: ignore[attr-defined]
        return self._pick(by_id.get(normalise_app_id(app_id)), platform)

    def lookup_name(self, name: str, *, platform: str | None = None) -> AppEntry | None:
        by_name: dict[str, list[AppEntry]] = self._by_name  # type: ignore[attr-defined]
        return self._pick(by_name.get(normalise_app_name(name)), platform)

    def app_ids(self) -> list[str]:
        """Every listed id, normalised (lower case)."""
        return sorted({normalise_app_id(e.app_id) for e in self.entries})

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [{"app_id": e.app_id, "platform": e.platform, "name": e.name,
              "risk_class": e.risk_class, "reason": e.reason, "weight": e.weight}
             for e in self.entries],
            columns=["app_id", "platform", "name", "risk_class", "reason", "weight"])


def _parse(text: str, source: str) -> Catalogue:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueInvalid(f"{source} is not valid TOML: {exc}") from exc
    errors: list[str] = []
    if data.get("format") != "probity-app-catalogue":
        errors.append(f"{source}: format is {data.get('format')!r}, expected "
                      "'probity-app-catalogue'")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        errors.append(f"{source}: version {version!r} is not a whole number >= 1")
        version = 0
    classes: dict[str, RiskClass] = {}
    raw_classes = data.get("risk_classes")
    if not isinstance(raw_classes, dict) or not raw_classes:
        errors.append(f"{source}: [risk_classes] is missing or empty")
        raw_classes = {}
    for key, spec in raw_classes.items():
        where = f"{source}: risk_classes.{key}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            errors.append(f"{where}: name must be lower_snake_case")
        if not isinstance(spec, dict):
            errors.append(f"{where}: expected a table with description and weight")
            continue
        description = spec.get("description")
        weight = spec.get("weight")
        if not isinstance(description, str) or not description.strip():
            errors.append(f"{where}.description is empty")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            errors.append(f"{where}.weight {weight!r} is not a number from 0 to 1")
            weight = 0.0
        classes[key] = RiskClass(key=key, description=str(description or "").strip(),
                                 weight=float(weight))
    raw_apps = data.get("app")
    if not isinstance(raw_apps, list) or not raw_apps:
        errors.append(f"{source}: no [[app]] entries")
        raw_apps = []
    entries: list[AppEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(raw_apps, start=1):
        where = f"{source}: [[app]] entry {number}"
        if not isinstance(raw, dict):
            errors.append(f"{where}: not a table")
            continue
        app_id = raw.get("app_id")
        where += f" ({app_id!r})" if app_id else ""
        extra = sorted(set(raw) - _ENTRY_KEYS)
        if extra:
            errors.append(f"{where}: unknown field(s) {', '.join(extra)}; expected "
                          f"{', '.join(sorted(_ENTRY_KEYS))}")
        for name in ("app_id", "platform", "name", "risk_class", "reason"):
            value = raw.get(name)
            if not isinstance(value, str) or not value.strip():
                errors.append(f"{where}: field {name} is empty (every entry needs one)")
        if not all(isinstance(raw.get(n), str) and raw[n].strip()
                   for n in ("app_id", "platform", "name", "risk_class", "reason")):
            continue
        if not _ID_RE.match(raw["app_id"]):
            errors.append(f"{where}: app_id {raw['app_id']!r} is not a package/bundle id "
                          "(dot-separated letters, digits, _ and -)")
        if raw["platform"] not in APP_PLATFORMS:
            errors.append(f"{where}: platform {raw['platform']!r} is not one of "
                          f"{', '.join(APP_PLATFORMS)}")
        if raw["risk_class"] not in classes:
            errors.append(f"{where}: risk_class {raw['risk_class']!r} is not one of "
                          f"{', '.join(classes) or '(none defined)'}")
        key = (normalise_app_id(raw["app_id"]), raw["platform"])
        if key in seen:
            errors.append(f"{where}: app_id {raw['app_id']!r} on {raw['platform']} is already "
                          f"entry {seen[key]}")
        seen[key] = number
        weight = raw.get("weight")
        if weight is None:
            weight = classes[raw["risk_class"]].weight if raw["risk_class"] in classes else 0.0
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            errors.append(f"{where}: weight {weight!r} is not a number from 0 to 1")
            weight = 0.0
        entries.append(AppEntry(app_id=raw["app_id"].strip(), platform=raw["platform"],
                                name=raw["name"].strip(), risk_class=raw["risk_class"],
                                reason=raw["reason"].strip(), weight=float(weight)))
    if errors:
        shown = errors[:50]
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        raise CatalogueInvalid("app catalogue is invalid:\n  " + "\n  ".join(shown) + more)
    return Catalogue(version=int(version), updated=str(data.get("updated", "")), source=source,
                     risk_classes=classes, entries=tuple(entries))


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Read and validate a catalogue file (default: the maintained one in the package).

    Every problem is reported at once in one CatalogueInvalid.
    """
    if path is None:
        return default_catalogue()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CatalogueInvalid(f"cannot read app catalogue {path}: {exc.strerror}") from exc
    return _parse(text, str(path))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    text = resources.files("probity.apps").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return _parse(text, f"probity/apps/{CATALOGUE_FILE}")


CLASSIFIED_COLUMNS = ("risk_class", "reason", "weight", "catalogue_app_id", "catalogue_name",
                      "match")


def classify_apps(*, apps: pd.DataFrame | Iterable[Mapping[str, Any]],
                  catalogue: Catalogue | None = None,
                  risk_classes: Iterable[str] | None = None,
                  match_names: bool = False,
                  keep_unmatched: bool = False) -> pd.DataFrame:
    """Classify app rows against the catalogue.

    `apps` has an `app_id` column (and may have `app_name`, `platform` and anything else,
    which is kept). Ids match ignoring case; where an id is listed for both platforms, the row's
    `platform` picks the entry. With `match_names`, a row whose id is empty or unknown is
    matched on its name: as an id when the name looks like one, else on the catalogue name
    (letters and digits, ignoring case); for exports that carry only a name. Returns the input rows that match (all rows with `keep_unmatched`), with the columns
    risk_class, reason, weight, catalogue_app_id, catalogue_name and match ('app_id', 'name' or
    empty), in input order. `risk_classes` limits the result to those classes (e.g.
    {"encrypted_messaging", "ephemeral_messaging"} for the encrypted-app indicator).
    """
    import pandas as pd

    cat = catalogue or default_catalogue()
    frame = apps.copy() if isinstance(apps, pd.DataFrame) else pd.DataFrame(list(apps))
    if "app_id" not in frame.columns:
        if match_names and "app_name" in frame.columns:
            frame["app_id"] = None
        else:
            raise ProbityError("classify_apps: the rows have no app_id column")
    wanted = set(risk_classes) if risk_classes is not None else None
    if wanted is not None:
        unknown = wanted - set(cat.risk_classes)
        if unknown:
            raise ProbityError(f"classify_apps: unknown risk class(es) {sorted(unknown)}; "
                               f"expected some of {sorted(cat.risk_classes)}")
    ids = frame["app_id"].tolist()
    names = frame["app_name"].tolist() if "app_name" in frame.columns else [None] * len(frame)
    platforms = (frame["platform"].tolist() if "platform" in frame.columns
                 else [None] * len(frame))
    found: list[tuple[AppEntry | None, str]] = []
    for app_id, name, platform in zip(ids, names, platforms, strict=True):
        plat = platform if isinstance(platform, str) else None
        entry = cat.lookup(app_id, platform=plat) if isinstance(app_id, str) and app_id else None
        how = "app_id" if entry else ""
        if entry is None and match_names and isinstance(name, str) and name.strip():
            # some exports put the package/bundle id in the name column
            entry = cat.lookup(name, platform=plat) if _ID_RE.match(name.strip()) else None
            how = "app_id" if entry else ""
            if entry is None:
                entry = cat.lookup_name(name, platform=plat)
                how = "name" if entry else ""
        if entry is not None and wanted is not None and entry.risk_class not in wanted:
            entry, how = None, ""
        found.append((entry, how))
    frame["risk_class"] = [e.risk_class if e else None for e, _ in found]
    frame["reason"] = [e.reason if e else None for e, _ in found]
    frame["weight"] = [e.weight if e else None for e, _ in found]
    frame["catalogue_app_id"] = [e.app_id if e else None for e, _ in found]
    frame["catalogue_name"] = [e.name if e else None for e, _ in found]
    frame["match"] = [how for _, how in found]
    if not keep_unmatched:
        frame = frame[frame["match"] != ""]
    return frame.reset_index(drop=True)
