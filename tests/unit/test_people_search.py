"""The live map's search reads a Chinese name in Latin letters (issue 16): 王芳 is found by "wang fang"."""

from __future__ import annotations

from dashboard.live.livemap import latin_reading


def test_a_chinese_name_reads_as_toneless_pinyin_without_spaces():
    assert latin_reading("王芳") == "wangfang"
    assert latin_reading("张敏") == "zhangmin"


def test_a_latin_name_loses_its_accents_case_and_spaces():
    assert latin_reading("Juho Mäkinen") == "juhomakinen"
    assert latin_reading("Wang Fang") == "wangfang"
