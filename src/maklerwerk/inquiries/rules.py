"""Office exceptions as a pure function over plain values (like paperless-ngx `matching.matches`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleFacts:
    """What an exception can look at."""

    source: str
    property_id: int | None
    object_kind: str
    marketing_type: str
    message: str


@dataclass(frozen=True)
class Rule:
    name: str
    action: str  # "no_automation" | "address_only"
    source: str = ""
    property_id: int | None = None
    object_kind: str = ""
    marketing_type: str = ""
    keyword: str = ""


def rule_matches(rule: Rule, facts: RuleFacts) -> bool:
    """All given criteria must hold; an empty criterion matches everything. Keywords ignore case."""
    if rule.source and rule.source != facts.source:
        return False
    if rule.property_id is not None and rule.property_id != facts.property_id:
        return False
    if rule.object_kind and rule.object_kind != facts.object_kind:
        return False
    if rule.marketing_type and rule.marketing_type != facts.marketing_type:
        return False
    return not (rule.keyword and rule.keyword.casefold() not in facts.message.casefold())


def first_matching(rules: Iterable[Rule], facts: RuleFacts) -> Rule | None:
    """The first rule (in the given order) that matches, or None."""
    return next((r for r in rules if rule_matches(r, facts)), None)
