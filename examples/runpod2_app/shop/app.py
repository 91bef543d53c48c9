"""The App every resource of this project registers on (a package: no empty twin, FG307)."""

import runpod

app = runpod.App("shop", env="prod")

MODELS = runpod.NetworkVolume("shop-models", size=100)
