"""Guard scanners usable without the graph (prompt-injection rules, grounding checks)."""
