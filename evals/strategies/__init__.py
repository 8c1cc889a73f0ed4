"""The strategies eval: arithmetic and logic questions answered with direct, cot, self_consistency and tot."""
