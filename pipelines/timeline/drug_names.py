"""Drug names as recorded -> generic drugs of the value set (audit_rules/value_sets/drugs.yaml).

Real records mix generics, brands, salts, Latin and misspelt names, and several drugs in one cell
("Arimidex (anastrozole)", "doxorubicin+cyclophosphamide"). Mapping runs once per distinct name;
DuckDB joins the result to every row. Anything unmatched is kept and reported, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

VALUE_SET_PATH = Path(__file__).resolve().parents[2] / "audit_rules" / "value_sets" / "drugs.yaml"
_SPLIT = re.compile(r"\s*(?:\+|/|,|;|&|\(|\)|\band\b|\bwith\b|\bplus\b|\bor\b)\s*")
# Weakest first: a mapping is as reliable as the weakest step that produced it.
_METHOD_RANK = {"exact": 0, "synonym": 1, "combination": 2, "fuzzy": 3}


@dataclass(frozen=True)
class DrugClass:
    name: str
    group: str
    anticancer: bool
    licensed_for_bone_metastases: bool


@dataclass(frozen=True)
class Drug:
    name: str
    drug_class: str
    anthracycline: bool


@dataclass(frozen=True)
class DrugNameMapping:
    recorded_name: str
    drugs: tuple[str, ...]
    method: str  # exact, synonym, combination, fuzzy, partial or unrecognised
    unrecognised_parts: tuple[str, ...]


def normalise(name: str) -> str:
    text = re.sub(r"[\u2010-\u2015]", "-", str(name)).strip().lower()
    return re.sub(r"\s+", " ", text).strip(" .;:,")


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class DrugValueSet:
    classes: dict[str, DrugClass]
    drugs: dict[str, Drug]
    names: dict[str, tuple[str, ...]]  # normalised recorded name -> generic drugs
    methods: dict[str, str]            # normalised recorded name -> exact / synonym / combination

    def _lookup(self, part: str) -> tuple[tuple[str, ...], str] | None:
        if part in self.names:
            return self.names[part], self.methods[part]
        if len(part) < 5:
            return None
        limit = 1 if len(part) <= 7 else 2
        close = {self.names[n] for n in self.names
                 if abs(len(n) - len(part)) <= limit and len(n) >= 5 and edit_distance(part, n) <= limit}
        return (next(iter(close)), "fuzzy") if len(close) == 1 else None

    def map_name(self, recorded_name: str) -> DrugNameMapping:
        text = normalise(recorded_name or "")
        found: dict[str, None] = {}
        methods: list[str] = []
        unmatched: list[str] = []
        whole = self._lookup(text) if text else None
        if whole:
            found.update(dict.fromkeys(whole[0]))
            methods.append(whole[1])
        else:
            for part in (p for p in _SPLIT.split(text) if p and p.strip()):
                part = part.strip(" -.")
                match = self._lookup(part)
                if match:
                    found.update(dict.fromkeys(match[0]))
                    methods.append(match[1])
                    continue
                for word in part.split():
                    match = self._lookup(word)
                    if match:
                        found.update(dict.fromkeys(match[0]))
                        methods.append(match[1])
                    else:
                        unmatched.append(word)
        if not found:
            return DrugNameMapping(recorded_name, (), "unrecognised", tuple(unmatched or ([text] if text else [])))
        method = "partial" if unmatched else max(methods, key=_METHOD_RANK.__getitem__)
        return DrugNameMapping(recorded_name, tuple(sorted(found)), method, tuple(unmatched))


def load_drug_value_set(extra_names: dict[str, str | list[str]] | None = None,
                        path: Path | None = None) -> DrugValueSet:
    raw = yaml.safe_load((path or VALUE_SET_PATH).read_text(encoding="utf-8"))
    classes = {name: DrugClass(name, spec["group"], bool(spec.get("anticancer", False)),
                               bool(spec.get("licensed_for_bone_metastases", False)))
               for name, spec in raw["classes"].items()}
    drugs, names, methods = {}, {}, {}

    def register(name: str, generics: tuple[str, ...], method: str) -> None:
        key = normalise(name)
        if key in names:
            raise ValueError(f"drug value set: name {key!r} is listed twice")
        names[key], methods[key] = generics, method

    for generic, spec in raw["drugs"].items():
        if spec["class"] not in classes:
            raise ValueError(f"drug value set: {generic} has unknown class {spec['class']!r}")
        drugs[generic] = Drug(generic, spec["class"], bool(spec.get("anthracycline", False)))
        register(generic, (generic,), "exact")
        for synonym in spec.get("names") or ():
            register(synonym, (generic,), "synonym")
    for name, generics in (raw.get("combinations") or {}).items():
        unknown = [g for g in generics if g not in drugs]
        if unknown:
            raise ValueError(f"drug value set: combination {name!r} names unknown drugs {unknown}")
        register(name, tuple(sorted(generics)), "combination")
    for name, generics in (extra_names or {}).items():
        generics = (generics,) if isinstance(generics, str) else tuple(generics)
        unknown = [g for g in generics if g not in drugs]
        if unknown:
            raise ValueError(f"value_sets.drug_names.{name}: unknown generic drug {unknown[0]!r}")
        register(name, tuple(sorted(generics)), "synonym")
    return DrugValueSet(classes, drugs, names, methods)


def class_attributes_rows(value_set: DrugValueSet) -> list[dict]:
    rows = []
    for name in sorted(value_set.drugs):
        drug = value_set.drugs[name]
        drug_class = value_set.classes[drug.drug_class]
        rows.append({"drug": name, "drug_class": drug.drug_class, "class_group": drug_class.group,
                     "is_anticancer": drug_class.anticancer, "is_anthracycline": drug.anthracycline,
                     "is_licensed_for_bone_metastases": drug_class.licensed_for_bone_metastases})
    return rows
