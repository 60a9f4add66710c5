"""Drug names as recorded -> generic drugs of the value set (audit_rules/value_sets/drugs.yaml).

Real records mix generics, brands, salts, Latin and misspelt names, and several drugs in one cell
("Arimidex (anastrozole)", "doxorubicin+cyclophosphamide"). Mapping runs once per distinct name;
DuckDB joins the result to every row. Anything unmatched is kept and reported, never dropped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

# pipelines/timeline/drug_names.py -> audit_rules/ beside pipelines/ (in a checkout or site-packages)
VALUE_SET_PATH = Path(__file__).resolve().parent / "value_sets" / "drugs.yaml"

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
# "or" also separates: "bevacizumab or placebo" names a drug and a placebo, not one thing.
_SEPARATORS = re.compile(r"\s*(?:[+/,;&()]|\band\b|\bwith\b|\bplus\b|\bor\b)\s*")
_SEPARATOR_CHARACTERS = re.compile(r"[+/,;&()]")
_PART_PUNCTUATION = " -.:'\""
# Ordered weakest last: a mapping is only as reliable as the weakest step that produced it.
_METHOD_RANK = {"exact": 0, "synonym": 1, "combination": 2, "fuzzy": 3}
_FUZZY_MIN_LENGTH = 5  # shorter strings ("ac", "tc", "5-fu") are too close to each other to guess


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


def normalise(name: str | None) -> str:
    """Lower case, one space between words, plain dashes, no trailing punctuation."""
    text = unicodedata.normalize("NFKC", "" if name is None else str(name))
    text = re.sub(r"\s+", " ", _DASHES.sub("-", text)).strip().lower()
    return text.rstrip(" .,;:!?")


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: adjacent transpositions count 1)."""
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current.append(value)
        before, previous = previous, current
    return previous[-1]


_DIGITS = re.compile(r"\d+")


def _fuzzy_limit(length: int) -> int:
    return 0 if length < _FUZZY_MIN_LENGTH else 1 if length <= 7 else 2


@dataclass(frozen=True)
class DrugValueSet:
    classes: dict[str, DrugClass]
    drugs: dict[str, Drug]
    names: dict[str, tuple[str, ...]]  # normalised recorded name -> generic drugs

    def _method(self, name: str) -> str:
        if name in self.drugs:
            return "exact"
        return "combination" if len(self.names[name]) > 1 else "synonym"

    def _exact(self, text: str) -> tuple[tuple[str, ...], str] | None:
        return (self.names[text], self._method(text)) if text in self.names else None

    def _fuzzy(self, text: str) -> tuple[tuple[str, ...], str] | None:
        """The closest name within the allowed distance, if all closest names mean the same drugs."""
        if _fuzzy_limit(len(text)) == 0:
            return None
        best, meanings = None, set()
        for name, generics in self.names.items():
            limit = _fuzzy_limit(min(len(name), len(text)))  # both sides long enough for the edits
            if limit == 0 or abs(len(name) - len(text)) > limit:
                continue
            if _DIGITS.findall(name) != _DIGITS.findall(text):
                continue  # a dose or a product number is never a typo: "zoledronic acid 4 mg" is not 5 mg
            distance = edit_distance(text, name)
            if distance > limit or (best is not None and distance > best):
                continue
            if best is None or distance < best:  # a closer name replaces farther ones
                best, meanings = distance, set()
            meanings.add(generics)
        return (meanings.pop(), "fuzzy") if len(meanings) == 1 else None

    def _lookup(self, text: str) -> tuple[tuple[str, ...], str] | None:
        return self._exact(text) or self._fuzzy(text)

    def _words(self, part: str) -> tuple[list[tuple[tuple[str, ...], str]], list[str]]:
        """Longest run of words first, so a multi-word name ("zoledronic acid") is never split."""
        words = [w.strip(_PART_PUNCTUATION) for w in part.split()]
        words = [w for w in words if w]
        longest = max(name.count(" ") for name in self.names) + 2  # a stray space is a fuzzy edit
        hits, unmatched, run, i = [], [], [], 0
        while i < len(words):
            j, found = next(((j, [hit]) for j in range(min(len(words), i + longest), i, -1)
                             if (hit := self._lookup(" ".join(words[i:j])))), (i + 1, None))
            if found is None:
                # "doxorubicin-cyclophosphamide" is two drugs only if every piece is a drug,
                # so "ado-trastuzumab" never becomes trastuzumab.
                pieces = [self._lookup(piece) for piece in words[i].split("-")]
                found = pieces if len(pieces) > 1 and all(pieces) else None
            if found:
                hits += found
                if run:
                    unmatched.append(" ".join(run))
                    run = []
            else:
                run.append(words[i])  # consecutive unknown words stay one finding
            i = j
        if run:
            unmatched.append(" ".join(run))
        return hits, unmatched

    def map_name(self, recorded_name: str) -> DrugNameMapping:
        text = normalise(recorded_name)
        if not text:
            return DrugNameMapping(recorded_name, (), "unrecognised", ())
        # Whole cell first, also with separators read as spaces: "paclitaxel, albumin-bound" and
        # "trastuzumab (emtansine)" are one drug, and splitting them would name the wrong one.
        loose = re.sub(r"\s+", " ", _SEPARATOR_CHARACTERS.sub(" ", text)).strip()
        whole = self._exact(text) or self._exact(loose) or self._fuzzy(loose)
        if whole:
            return DrugNameMapping(recorded_name, tuple(sorted(set(whole[0]))), whole[1], ())
        hits, unmatched = [], []
        for part in _SEPARATORS.split(text):
            part = part.strip(_PART_PUNCTUATION)
            if not part:
                continue
            hit = self._lookup(part)
            if hit:
                hits.append(hit)
            else:
                part_hits, part_unmatched = self._words(part)
                hits += part_hits
                unmatched += part_unmatched
        unmatched = list(dict.fromkeys(unmatched))
        if not hits:  # a cell of bare punctuation ("-") is still a finding
            return DrugNameMapping(recorded_name, (), "unrecognised", tuple(unmatched or [text]))
        drugs = tuple(sorted({d for generics, _ in hits for d in generics}))
        method = "partial" if unmatched else max((m for _, m in hits), key=_METHOD_RANK.__getitem__)
        return DrugNameMapping(recorded_name, drugs, method, tuple(unmatched))


def _flag(spec: dict, key: str, where: str) -> bool:
    value = spec.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"drug value set: {where}: {key} must be true or false, got {value!r}")
    return value


def _check_keys(spec: object, allowed: set[str], required: set[str], where: str) -> dict:
    if not isinstance(spec, dict):
        raise ValueError(f"drug value set: {where} must be a mapping")
    if unknown := set(spec) - allowed:
        raise ValueError(f"drug value set: {where} has unknown keys {sorted(unknown)}")
    if missing := required - set(spec):
        raise ValueError(f"drug value set: {where} is missing {sorted(missing)}")
    return spec


def load_drug_value_set(extra_names: dict[str, str | list[str]] | None = None,
                        path: Path | None = None, extra_drugs: dict[str, dict] | None = None) -> DrugValueSet:
    """Read and check the value set; configuration adds drugs (extra_drugs: generic -> class, names)
    and recorded names of known drugs (extra_names: recorded name -> generic(s))."""
    raw = yaml.safe_load(Path(path or VALUE_SET_PATH).read_text(encoding="utf-8"))
    raw = _check_keys(raw, {"version", "source", "classes", "drugs", "combinations"},
                      {"version", "classes", "drugs"}, "the file")
    if raw["version"] != 1:
        raise ValueError(f"drug value set: unsupported version {raw['version']!r}")
    classes = {}
    for name, spec in (raw["classes"] or {}).items():
        spec = _check_keys(spec, {"group", "anticancer", "licensed_for_bone_metastases"}, {"group"},
                           f"class {name}")
        classes[name] = DrugClass(name, str(spec["group"]), _flag(spec, "anticancer", name),
                                  _flag(spec, "licensed_for_bone_metastases", name))
    drugs: dict[str, Drug] = {}
    names: dict[str, tuple[str, ...]] = {}

    def register(name: object, generics: tuple[str, ...], where: str, strict: bool = True) -> None:
        key = normalise(name if isinstance(name, str) else "")
        if not key or (strict and key != name):
            raise ValueError(f"drug value set: {where}: name {name!r} must be lower case and trimmed")
        if key in names and (strict or names[key] != generics):
            raise ValueError(f"drug value set: {where}: name {key!r} is listed twice")
        names[key] = generics

    def add_drug(generic: object, spec: object, where: str, strict: bool = True) -> None:
        spec = _check_keys(spec, {"class", "anthracycline", "names"}, {"class"}, where)
        key = normalise(generic if isinstance(generic, str) else "")
        if key in drugs:  # a drug's class is the method, not configuration
            raise ValueError(f"drug value set: {where}: {key} is already a {drugs[key].drug_class} drug")
        if spec["class"] not in classes:
            raise ValueError(f"drug value set: {where} has unknown class {spec['class']!r} "
                             f"(classes: {', '.join(sorted(classes))})")
        anthracycline = _flag(spec, "anthracycline", where)
        if anthracycline and classes[spec["class"]].group != "chemotherapy":
            raise ValueError(f"drug value set: anthracycline {key} must be a chemotherapy drug")
        register(generic, (key,), where, strict)
        drugs[key] = Drug(key, spec["class"], anthracycline)
        if not isinstance(spec.get("names") or [], list):
            raise ValueError(f"drug value set: {where}: names must be a list")
        for synonym in spec.get("names") or []:
            register(synonym, (key,), where, strict)

    for generic, spec in (raw["drugs"] or {}).items():
        add_drug(generic, spec, f"drug {generic}")
    for generic, spec in (extra_drugs or {}).items():
        add_drug(generic, spec, f"value_sets.drugs.{generic}", strict=False)
    for name, generics in (raw.get("combinations") or {}).items():
        if not isinstance(generics, list) or len(set(generics)) < 2:
            raise ValueError(f"drug value set: combination {name!r} must list at least two drugs")
        if unknown := [g for g in generics if g not in drugs]:
            raise ValueError(f"drug value set: combination {name!r} names unknown drug {unknown[0]!r}")
        register(name, tuple(sorted(set(generics))), f"combination {name!r}")
    for name, generics in (extra_names or {}).items():
        generics = [generics] if isinstance(generics, str) else list(generics or [])
        where = f"value_sets.drug_names.{name}"
        if not generics:
            raise ValueError(f"{where}: no generic drug given")
        if unknown := [g for g in generics if g not in drugs]:
            raise ValueError(f"{where}: unknown generic drug {unknown[0]!r}")
        # Configuration may repeat a name the value set already has, but not change its meaning.
        register(name, tuple(sorted(set(generics))), where, strict=False)
    return DrugValueSet(classes, drugs, names)


def class_attributes_rows(value_set: DrugValueSet) -> list[dict]:
    """One row per drug with its class attributes (the timeline.drug_value_set table)."""
    rows = []
    for name in sorted(value_set.drugs):
        drug = value_set.drugs[name]
        drug_class = value_set.classes[drug.drug_class]
        rows.append({"drug": name, "drug_class": drug.drug_class, "class_group": drug_class.group,
                     "is_anticancer": drug_class.anticancer, "is_anthracycline": drug.anthracycline,
                     "is_licensed_for_bone_metastases": drug_class.licensed_for_bone_metastases})
    return rows
