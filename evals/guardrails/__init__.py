"""The guardrails eval: attacks grouped by technique must be blocked, benign requests (hard negatives included) must not."""
