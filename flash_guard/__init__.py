"""flash-guard: a production-readiness linter for Runpod Flash apps."""

__version__ = "0.1.0"
