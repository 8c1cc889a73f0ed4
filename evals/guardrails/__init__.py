"""The guardrails eval: attacks grouped by technique must be blocked, benign requests (hard negatives included) must not."""

SETS = ("suite", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6")
# Held-out sets no training has read (a unit test checks the learned layer's data against them). The
# earlier four became development sets once rules and bank rows were written for their misses.
UNSEEN = ("heldout6",)
