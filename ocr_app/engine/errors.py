"""Errors the engine raises to its callers (bad input never raises; see Result.error)."""


class ModelError(RuntimeError):
    """A model file is missing or corrupt; the message names it and how to restore it."""


PROVISION_HINT = "restore the models with: python -m ocr_app.engine.provision"
