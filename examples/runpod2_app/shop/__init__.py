"""The shop app: one runpod 2.0 App, resources in the modules beside it."""
