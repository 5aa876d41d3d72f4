from maklerwerk.inquiries.rules import Rule, RuleFacts, first_matching, rule_matches

FACTS = RuleFacts(
    source="immowelt",
    property_id=7,
    object_kind="haus",
    marketing_type="kauf",
    message="Ich bin Makler und habe Kunden",
)


def test_it_matches_when_all_given_criteria_hold() -> None:
    assert rule_matches(Rule("Portal", "no_automation", source="immowelt"), FACTS)
    assert rule_matches(Rule("Kombi", "address_only", object_kind="haus", marketing_type="kauf"), FACTS)
    assert not rule_matches(
        Rule("Miete", "address_only", object_kind="haus", marketing_type="miete_pacht"), FACTS
    )
    assert not rule_matches(Rule("Objekt", "no_automation", property_id=8), FACTS)


def test_keywords_ignore_case_and_the_first_rule_wins() -> None:
    rules = [Rule("Kollegen", "no_automation", keyword="MAKLER"), Rule("Alles", "address_only")]
    assert first_matching(rules, FACTS) == rules[0]
    assert first_matching(rules[:1], RuleFacts("website", None, "", "", "Hallo")) is None
