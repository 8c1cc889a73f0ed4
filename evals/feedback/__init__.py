"""The feedback eval: questions people corrected or rated good, scored against what they said the answer should be."""
