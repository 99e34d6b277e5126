"""docs/rules/ is generated from the rules themselves: ``python -m asynclint.docs`` rewrites it."""

from __future__ import annotations

import os
import sys

from asynclint.rules import RULES, Rule

DOCS_RULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "rules")


def rule_page(rule: type[Rule]) -> str:
    parts = [f"# {rule.code} {rule.name}\n", f"{rule.summary[0].upper()}{rule.summary[1:]}.\n"]
    facts = ["enabled by default" if rule.enabled_by_default else "off by default: enable with `select`"]
    facts.append(f"fix: {rule.fix_applicability}" if rule.fix_applicability else "no automatic fix")
    parts.append(f"*{'; '.join(facts)}.*\n")
    documentation = rule.documentation()
    if documentation:
        parts.append(documentation + "\n")
    if rule.bad:
        parts.append(f"## Example\n\n```python\n{rule.bad}```\n")
    if rule.good:
        parts.append(f"## Use instead\n\n```python\n{rule.good}```\n")
    if rule.fixed:
        parts.append(f"## What `--fix --unsafe-fixes` makes of the example\n\n```python\n{rule.fixed}```\n")
    return "\n".join(parts)


def index_page() -> str:
    rows = "".join(f"| [{r.code}]({r.code}.md) | {r.name} | {r.summary} |\n"
                   for r in (RULES[c] for c in sorted(RULES)))
    return f"# Rules\n\n| code | name | what it flags |\n|---|---|---|\n{rows}"


def expected_pages() -> dict[str, str]:
    pages = {f"{code}.md": rule_page(RULES[code]) for code in RULES}
    pages["README.md"] = index_page()
    return pages


def main() -> int:
    os.makedirs(DOCS_RULES, exist_ok=True)
    for name, text in expected_pages().items():
        with open(os.path.join(DOCS_RULES, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    print(f"wrote {len(RULES) + 1} pages to {DOCS_RULES}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
