"""The knowledge-base eval: retrieval recall@k, cited sources, expected facts, and declining what is not there."""
