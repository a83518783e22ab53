"""The engine: Layer, the functional graph, Sequential, Model and the training loop."""
