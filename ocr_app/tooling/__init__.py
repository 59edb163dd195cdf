"""Build-time model tooling, never run by the app: fetch and verify the models
(`python -m ocr_app.tooling.provision`), make their INT8 variants (quantize) and cut the
detector into band parts (det_split). The runtime reads what these leave in models/."""
