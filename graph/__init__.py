"""The conversation: state, context, nodes, the compiled graph, the model factory and the terminal client."""
