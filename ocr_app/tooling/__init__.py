"""Build-time model tooling: fetch and verify the models (`python -m ocr_app.tooling.provision`),
make their INT8 variants (quantize) and cut the detector into band parts (det_split). The
runtime reads what these leave in models/. One module ships with the app: `packs`, which adds
the optional FP32 pack to an installed copy (`ocr-desk provision --pack fp32`)."""
