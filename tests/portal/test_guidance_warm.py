"""The message check warmed before workers fork: every word table compiled, every kind of detector reached."""
from portal.guidance import warm
from portal.guidance.check import check_message
from portal.guidance.detectors.base import lexicon, table_regex


def test_warming_compiles_every_word_table():
    table_regex.cache_clear()
    warm.warm_up()
    before = table_regex.cache_info()
    for name in lexicon():
        table_regex(name)
    assert table_regex.cache_info().misses == before.misses  # nothing was left to compile
    assert before.currsize >= len(lexicon())


def test_the_samples_reach_every_category_the_check_flags():
    """Each family of detectors runs during the warm-up: the samples between them raise every category."""
    found = {finding.category for text in warm.SAMPLES for finding in check_message(text)}
    assert found >= {"personal_data", "live_proceedings", "discriminatory", "political", "operational"}
    assert any(not check_message(text) for text in warm.SAMPLES)  # and a clean message runs them all to the end
