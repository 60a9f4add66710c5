"""Renders docs/rules.md from the catalogue, so the reference page never drifts from the rules.

    python -m audit_rules.render_docs > docs/rules.md      (or: make docs)
"""
from __future__ import annotations

from audit_rules.catalogue import Catalogue, Rule, load_catalogue

STATUS_TITLES = {"audited": "Audited", "not_auditable": "Not auditable from routine data",
                 "retired": "Retired (stood down)"}


def _bullets(items) -> str:
    return "\n".join(f"  - {item}" for item in items) if items else "  - none"


def _rule_section(rule: Rule, targets: dict[str, float]) -> str:
    lines = [f"### {rule.id}: {rule.title}", "", f"> {rule.guideline_text}", "",
             f"- **Section**: {rule.section}", f"- **Strength**: {rule.strength}",
             f"- **Status**: {STATUS_TITLES[rule.status]} (entry version {rule.version})"]
    if rule.is_audited:
        target = f"{targets[rule.target]:.0%} ({rule.target})" if rule.target else "none (reported without a target)"
        lines += [f"- **Unit**: {rule.unit}", f"- **Population**: {rule.population.strip()}",
                  f"- **Numerator (adherent when)**: {rule.numerator.strip()}",
                  f"- **Exclusions**:\n{_bullets(rule.exclusions)}",
                  f"- **Exceptions** (documented treatment decisions): {', '.join(rule.exceptions) or 'none'}",
                  f"- **Insufficient data when**:\n{_bullets(rule.insufficient_data)}",
                  f"- **Target**: {target}", f"- **SQL**: `sql/{rule.sql}`",
                  "- **Window parameters**: " + (", ".join(f"`{k}` = {v}" for k, v in rule.parameters.items()) or "none"),
                  *[f"  (`{k}` may list: {', '.join(v)})" for k, v in rule.parameter_choices.items()],
                  f"- **Interpretations**:\n{_bullets(rule.interpretations)}"]
    else:
        lines.append(f"- **Why**: {rule.reason.strip()}")
        if rule.descriptive_sql:
            lines += [f"- **Descriptive figure**: `sql/{rule.descriptive_sql}` (descriptive_figures.csv)",
                      f"- **Interpretations**:\n{_bullets(rule.interpretations)}"]
    return "\n".join(lines)


def render(catalogue: Catalogue, targets: dict[str, float]) -> str:
    header = [f"# Rule catalogue: {catalogue.guideline}", "",
              f"Guideline version {catalogue.guideline_version}; {catalogue.quality_standard}; "
              f"catalogue version {catalogue.version}. Generated from `audit_rules/{catalogue.name}/` by "
              "`make docs`; do not edit by hand.", "",
              "Outcomes follow the eCQM proportion model: exclusions first, then missing data that leaves "
              "population membership unknown, then the numerator; exceptions (documented decisions dated from "
              "index - 30 days to the end of the rule's window) apply only when the numerator is not met. "
              "A unit whose numerator is not met while its window is still open at the end of follow-up "
              "(`timeline.follow_up_end` in the configuration: the extract's date, or by default its latest "
              "recorded date) is excluded as follow_up_incomplete, not judged early; rules that judge a "
              "recorded fact (a regimen's drugs, a course's fractions, a scan already done) have no such "
              "window.", "",
              "| rule | status | strength | title |", "|---|---|---|---|"]
    header += [f"| {r.id} | {r.status} | {r.strength} | {r.title} |" for r in catalogue.rules]
    return "\n".join(header) + "\n\n" + "\n\n".join(_rule_section(r, targets) for r in catalogue.rules) + "\n"


def main() -> None:
    from pipelines.config import load_config

    print(render(load_catalogue(), load_config().section("targets")), end="")


if __name__ == "__main__":
    main()
