"""Measurement tools, not part of the app's work: `python -m ocr_app.bench` compares OCR
systems on eval folders (compare.py, each system in its own process via system_runner.py),
`python -m ocr_app.bench.api_load` loads the REST API, metrics.py scores text (the self-test
uses it too)."""
