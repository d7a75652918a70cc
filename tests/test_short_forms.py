"""Short forms of bodies' names: both spellings are read, and retrieval adds the full names the store uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.reader.lexicon import load_lexicon
from rag.short_forms import ShortForms, load_short_forms


def test_a_word_is_read_with_its_short_forms_spelled_out():
    spellings = load_short_forms().spellings("县人大常委会")
    assert "县人民代表大会常务委员会" in spellings and "县人大常委会" in spellings


def test_a_full_name_is_read_shortened_too():
    assert "中国人民政协" in load_short_forms().spellings("中国人民政治协商会议")


def test_a_short_form_inside_its_own_full_name_is_left_alone():
    forms = ShortForms((("县委", "县委员会"),))
    assert forms.spellings("县委员会") == frozenset({"县委员会", "县委"})


def test_full_names_are_added_only_when_the_store_holds_them_and_the_text_lacks_them():
    forms = load_short_forms()
    held = {"政治协商会议"}.__contains__
    assert forms.full_names("县政协主席是谁", held) == ["政治协商会议"]
    assert forms.full_names("县政协主席是谁", lambda term: False) == []
    assert forms.full_names("政协即政治协商会议", held) == []


def test_the_reader_lexicon_variants_carry_both_spellings():
    variants = load_lexicon().variants("住建局")
    assert {"住建局", "住房和城乡建设局"} <= variants


def test_a_short_form_without_full_names_is_a_config_error(tmp_path: Path):
    path = tmp_path / "forms.toml"
    path.write_text('[short_forms]\n"政协" = "政治协商会议"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="政协"):
        load_short_forms(path)


def test_a_short_form_inside_a_longer_one_is_not_read_again():
    forms = load_short_forms()
    assert forms.full_names("哪个社工委牵头", lambda term: True) == ["社会工作委员会"]  # not 工委's 工作委员会


def test_a_short_forms_file_without_the_table_is_a_config_error(tmp_path: Path):
    path = tmp_path / "forms.toml"
    path.write_text('short_forms = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a table"):
        load_short_forms(path)
