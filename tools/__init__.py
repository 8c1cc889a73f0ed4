"""Things the graph's nodes call, each usable on its own: settings, model files, and more."""
