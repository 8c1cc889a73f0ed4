"""Graph nodes, one module each; names match the node names in traces."""
