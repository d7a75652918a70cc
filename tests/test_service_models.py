"""Model files named in settings: the service answers with them, and a missing one is a clear error."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.answer.service import open_service
from rag.errors import ConfigError
from rag.reader.model import load_model


def test_the_service_answers_with_the_reader_model_the_settings_name(e5_store, tmp_path):
    path = tmp_path / "reader.json"
    shipped = load_model()
    replace(shipped, answer_threshold=1.0, meta={**shipped.meta, "trained": "elsewhere"}).save(path)  # refuses everything
    service = open_service(e5_store.settings.model_copy(update={"reader_model": path}))
    assert service.reader.model.meta["trained"] == "elsewhere"
    assert service.answer("2020年园区发展党员多少人？").refused
    assert not open_service(e5_store.settings).answer("2020年园区发展党员多少人？").refused  # the shipped model answers


def test_a_missing_reader_model_file_is_named_in_the_error(e5_store, tmp_path):
    with pytest.raises(ConfigError, match="none.json"):
        open_service(e5_store.settings.model_copy(update={"reader_model": tmp_path / "none.json"}))


def test_evaluations_read_with_the_reader_model_the_settings_name(e5_store, tmp_path):
    from evals.reader_cli import settings_reader
    from rag.reader.reader import untrained_model

    path = tmp_path / "reader.json"
    shipped = load_model()
    replace(shipped, meta={**shipped.meta, "trained": "elsewhere"}).save(path)
    assert settings_reader(e5_store.settings.model_copy(update={"reader_model": path})).model.meta["trained"] == "elsewhere"
    assert settings_reader(e5_store.settings).model.meta == shipped.meta
    assert settings_reader(e5_store.settings, untrained_model()).model.span.to_json() == untrained_model().span.to_json()
