"""Settings declared once: defaults, CLI flags and the EngineConfig all come from OPTIONS."""

from __future__ import annotations

import argparse

import pytest

from ocr_app import options
from ocr_app.engine import DEFAULT_POST, POST_PROCESSORS, PRECISIONS, STAGES, EngineConfig
from ocr_app.options import OPTIONS, add_arguments, engine_config, values_from_args


def _parse(argv: list[str], scope: str = options.CLI) -> argparse.Namespace:
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_arguments(parser, scope)
    return parser.parse_args(argv)


def test_every_default_is_a_valid_value_of_its_option():
    for opt in OPTIONS:
        value = opt.default_value()
        assert opt.coerce(value) == value, opt.name
        assert opt.choices is None or value in opt.choices, opt.name
        assert opt.key.count("/") == 1 and opt.help, opt.name


def test_the_engine_and_the_schema_agree():
    assert options.PRECISIONS == PRECISIONS and options.STAGES == STAGES
    assert set(options.POST_ORDER) == set(POST_PROCESSORS)
    assert options.post_processors(options.defaults()) == DEFAULT_POST
    assert engine_config({}) == EngineConfig()  # the schema's defaults are the engine's defaults


def test_flags_switch_post_processors_and_keep_their_order():
    args = _parse(["--no-glyphs", "--no-words", "--codes", "--precision", "fp32", "--threads", "3", "--model-set", "x"])
    config = engine_config(values_from_args(args))
    assert config.post == ("script", "amounts", "spacing", "split", "codes", "page")
    assert (config.precision, config.threads, config.model_set) == ("fp32", 3, "x")
    assert config.fingerprint() != EngineConfig().fingerprint()  # switches are in the cache key


def test_bad_values_are_usage_errors():
    for argv in (["--precision", "int4"], ["--threads", "-1"], ["--min-confidence", "2"], ["--threads", "many"]):
        with pytest.raises((argparse.ArgumentError, SystemExit)):
            _parse(argv)


def test_stored_values_are_coerced_or_fall_back_to_the_default():
    assert options.option("precision").coerce("int4") == "int8"
    assert options.option("threads").coerce("7") == 7
    assert options.option("threads").coerce("-3") == 0
    assert options.option("glyphs").coerce("false") is False
    assert options.option("pool_size").coerce("99") == 8


def test_scopes_decide_which_flags_a_command_gets():
    cli = _parse([], options.CLI)
    assert not hasattr(cli, "theme") and hasattr(cli, "use_text_layer")
    server = _parse(["--port", "0"], options.SERVER)
    assert server.port == 0 and not hasattr(server, "pool_size")
