"""The learned wording models: features, scores, the explanation, the anchor a flag needs, and the shipped weights."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from portal.guidance.check import BUILTIN_DETECTORS, CheckContext, Rule, RuleError, check_message, compile_rule
from portal.guidance.detectors import learned
from portal.guidance.detectors.learned import LEARNED_FILE, anchor, features, learned_wording, score, stem, tokens
from scripts.train_guidance_model import TRAINING_PARTS, gate_counts, grouped_folds, load_parts, threshold_for

# A hand-made model, so these tests do not move when the shipped weights are retrained.
TOY = {
    "political": {"bias": -2.0, "threshold": 0.5,
                  "weights": {"w:shambles": 60.0, "w:sign": 60.0, "b:home office": 5.0, "c: sha": 1.0}},
    "discriminatory": {"bias": -2.0, "threshold": 0.5, "weights": {"w:typical": 70.0}},
    "live_proceedings": {"bias": -2.0, "threshold": 0.5, "weights": {"w:lifted": 70.0, "w:result": 20.0}},
}


@pytest.fixture
def toy_model(monkeypatch):
    monkeypatch.setattr(learned, "_models", lambda: TOY)


def _run(text: str, category: str) -> list:
    return list(learned_wording(text, category, CheckContext()))


def test_features_are_words_pairs_and_letter_runs_normalised():
    vector, per_word = features("The Home Office’s a SHAMBLES")
    assert {"w:home", "w:office's", "b:home office's", "c: ho", "c:les "} <= set(vector)
    assert math.isclose(sum(v * v for v in vector.values()), 1.0)
    assert "b:home office's" in per_word[1]
    assert "b:home office's" in per_word[2]  # a pair is listed under both its words
    assert features("The Home Office’s a SHAMBLES") == (vector, per_word)  # same text, same features


def test_tokens_keep_positions_in_the_original_text():
    text = "Gov’t cuts, again!"
    assert [(t.word, text[t.start:t.end]) for t in tokens(text)] == [("gov't", "Gov’t"), ("cuts", "cuts"),
                                                                     ("again", "again")]


def test_a_flag_names_the_words_that_weighed_most_and_what_it_is_about(toy_model):
    text = "Honestly the Home Office is a shambles."
    [match] = _run(text, "political")
    assert text[match.start:match.end].endswith("shambles")
    assert "“shambles”" in match.note
    assert "about “Home Office”" in match.note or "about “home office”" in match.note.lower()
    assert "labelled political" in match.note


def test_below_the_threshold_nothing_is_flagged(toy_model):
    assert score("The Home Office opened a new building.", "political").probability < 0.5
    assert _run("The Home Office opened a new building.", "political") == []


def test_a_high_score_without_anything_political_is_left_alone(toy_model):
    # 'sign' weighs as a petition word, but nothing in the message is about public affairs.
    assert score("Only one officer can sign it off.", "political").flagged
    assert _run("Only one officer can sign it off.", "political") == []
    assert _run("Please sign the council's petition.", "political") != []


def test_a_group_is_needed_before_a_discriminatory_score_counts(toy_model):
    assert _run("Typical Monday morning, the printer is broken.", "discriminatory") == []
    assert _run("Typical Geordies, they never learn.", "discriminatory") != []
    assert _run("Typical students, never lock their bikes.", "discriminatory") != []


def test_empty_text_is_not_scored(toy_model):
    assert _run("   ", "political") == []


@pytest.mark.parametrize("text", ["Sunny Sunday", "The Chinese New Year parade is at noon."])
def test_anchor_needs_a_people_word_not_a_sentence_opening(text):
    # 'Sunny' opens the sentence; 'Chinese' is a group adjective in the tables, so it anchors.
    found = anchor(text, "discriminatory")
    assert (found is not None) is ("Chinese" in text)


def test_the_rule_refuses_a_category_without_a_model():
    rule = Rule("x.learned", "operational", "needs_supervisor", "builtin", "learned_wording: operational", "why")
    with pytest.raises(RuleError, match="no learned model"):
        compile_rule(rule)
    assert BUILTIN_DETECTORS["learned_wording"][1] is True  # needs its category after the colon


def test_the_shipped_weights_are_small_and_trained_only_on_development_parts():
    data = json.loads(LEARNED_FILE.read_text(encoding="utf-8"))
    assert set(data["models"]) == {"discriminatory", "political", "live_proceedings"}
    for model in data["models"].values():
        assert 0.5 < model["threshold"] < 1.0
        assert 100 < len(model["weights"]) <= 2500
    sealed = ("heldout_b", "heldout_c", "heldout_d", "heldout_e", "probe_f7_check", "probe_g8_check", "probe_h9_check",
              "probe_j10_check")
    for part in sealed:
        assert part not in data["_note"]
    # From round 8 the training probes are trained on too; never a held-out or sealed part.
    assert {"dev.jsonl", "heldout.jsonl"} <= set(TRAINING_PARTS)
    assert all(part in {"dev.jsonl", "heldout.jsonl"} or part.startswith("probe_") for part in TRAINING_PARTS)
    assert not any(part.removesuffix(".jsonl") in sealed for part in TRAINING_PARTS)


@pytest.mark.parametrize(("text", "category"), [
    ("The cabinet have made an absolute mess of the economy and should go.", "political"),
    ("Honestly the whole government is rotten, get them out.", "political"),
])
def test_the_shipped_model_flags_a_plain_stance(text, category):
    flagged = {f.category for f in check_message(text) if f.severity != "advice"}
    assert category in flagged


@pytest.mark.parametrize("text", [
    "The council's recycling centre on Mill Lane is closed on Monday.",
    "Only one officer can sign off the form, so please be patient.",
    "Please vote for our PCSO in the community awards!",
    "Students: lock your bikes with a D-lock.",
    "Thanks to the Polish Saturday school for inviting us.",
    "The government's fraud advice is on its website.",
])
def test_the_shipped_models_leave_near_misses_alone(text):
    codes = {f.rule_code for f in check_message(text)}
    assert not codes & {"political.learned_wording", "discriminatory.learned_wording"}


def test_a_rules_finding_wins_over_the_models_on_the_same_words():
    findings = check_message("Vote for the Green Party, call 07700 900123")
    codes = [f.rule_code for f in findings]
    assert "political.party" in codes
    assert "political.learned_wording" not in codes  # same words, same severity: the rule explains better


def test_grouped_folds_never_put_a_part_in_both_training_and_validation():
    parts = ["dev", "dev", "probe_c", "heldout", "probe_c", "dev", "probe_g8"]
    folds = grouped_folds(parts)
    assert [fold.part for fold in folds] == ["dev", "probe_c", "heldout", "probe_g8"]
    validated = []
    for fold in folds:
        assert {parts[i] for i in fold.test} == {fold.part}
        assert fold.part not in {parts[i] for i in fold.train}
        assert sorted([*fold.train, *fold.test]) == list(range(len(parts)))
        validated.extend(fold.test)
    assert sorted(validated) == list(range(len(parts)))  # every message validated once


def test_the_trainer_refuses_a_held_out_or_sealed_part():
    for part in ("heldout_b", "heldout_d.jsonl", "probe_g8_check"):
        with pytest.raises(ValueError, match="sealed"):
            load_parts([part])
    assert {e["part"] for e in load_parts(["probe_c.jsonl"])} == {"probe_c"}


def test_optional_features_pair_words_across_a_gap_and_cut_endings():
    vector, per_word = features("they are scroungers", ("gaps", "stems"))
    assert {"g:they scroungers", "s:scroung", "b:are scroungers"} <= set(vector)
    assert "g:they scroungers" in per_word[0]
    assert "g:they scroungers" in per_word[2]
    plain, _ = features("they are scroungers", ())
    assert not any(name[:2] in ("g:", "s:") for name in plain)
    assert stem("scrounging") == stem("scroungers") == "scroung"
    assert stem("lots") == "lots"  # too short to cut


def test_a_live_proceedings_score_counts_only_beside_a_case_word(toy_model):
    text = "Cheers all, the lad from Elm Road got lifted last night, proper result."
    found = anchor(text, "live_proceedings")
    assert found is not None
    assert found.group().endswith("lifted")
    assert anchor("Lock your shed and mark your tools.", "live_proceedings") is None
    [match] = _run(text, "live_proceedings")
    assert "“lifted”" in match.note
    assert "labelled live proceedings" in match.note
    assert _run("Cheers all, proper result at the football last night.", "live_proceedings") == []


def test_the_shipped_live_proceedings_model_names_its_words():
    text = "Lad from the flats got lifted for the break-ins, hopefully he gets what's coming at his hearing."
    [match] = _run(text, "live_proceedings")
    assert "labelled live proceedings" in match.note
    named = match.note.split("the words that weighed most: ")[1]
    assert named.count("“") >= 1
    assert text[match.start:match.end].strip()


@pytest.mark.parametrize("text", [
    "Basketball at the youth club on Friday: the court is booked from 6pm.",
    "We held a knife amnesty at the station and 40 blades were handed in.",
    "Officers were caught in traffic on the A27, so the surgery starts 15 minutes late.",
    "Thanks to everyone who visited the old magistrates' court museum on the heritage open day.",
    "Make a strong case for your street at the PACT meeting on Tuesday.",
    "Charging your e-bike overnight? Use the charger it came with.",
])
def test_the_shipped_live_proceedings_model_leaves_near_misses_alone(text):
    # Scored by the detector itself: the rule ships disabled, so check_message would not show a flag.
    assert _run(text, "live_proceedings") == []


@pytest.mark.parametrize("text", [
    "Shoplifters will be arrested and prosecuted.",
    "Remember, being arrested is not the same as being charged.",
    "Figures for the year in the borough: 2,412 arrests, 61% charged or cautioned.",
])
def test_a_live_proceedings_score_needs_someone_in_particular_not_a_tally(text):
    assert anchor(text, "live_proceedings") is None
    assert anchor("He was arrested last night and is in custody.", "live_proceedings") is not None


def test_text_speak_is_read_as_the_words_it_stands_for():
    vector, _ = features("ppl like dem r sooooo lazy", ("speak",))
    assert {"w:people", "w:them", "w:are", "w:soo", "b:people like", "b:are soo"} <= set(vector)
    assert not {"w:ppl", "w:dem", "w:r"} & set(vector)
    plain, _ = features("ppl like dem r sooooo lazy", ())
    assert {"w:ppl", "w:dem", "w:sooooo"} <= set(plain)


def test_shapes_put_a_word_class_in_place_of_its_words():
    kinds = ("shapes",)
    one, per_word = features("Honestly those Romanians are always at it", kinds)
    two, _ = features("Honestly those Latvians are always at it", kinds)
    shared = {name for name in set(one) & set(two) if name[:2] in ("k:", "t:")}
    assert {"t:GROUP", "k:GROUP GENERAL"} <= shared  # a nationality the training never named makes the same shape
    assert "w:romanians" in one
    assert "w:latvians" in two
    assert "t:GROUP" in per_word[2]  # the class is listed under the words it stands for, for the explanation
    assert not any(name[:2] in ("k:", "t:", "q:") for name in features("Romanians are always at it", ())[0])


def test_word_classes_keep_the_longer_phrase_where_two_overlap():
    text = "vote for the labour party"
    classes = learned.word_classes(text, tuple(tokens(text)))
    names = [(name, text.split()[first:end]) for first, end, name in classes]
    assert ("PARTY", ["labour", "party"]) in names
    assert all(name != "PUBLIC" or words != ["party"] for name, words in names)


def test_a_window_pairs_a_class_with_the_words_a_few_either_side():
    vector, _ = features("foreigners round here always cause trouble for the shops", ("window",))
    assert {"q:GROUP~here", "q:GROUP~GENERAL"} <= set(vector)  # two and three on, not next to it
    assert "q:GROUP~round" not in vector  # next to it: the shapes' pairs say that
    assert "q:GROUP~for" not in vector  # five on: outside the window
    assert not any(name.startswith("q:") for name in features("see you on monday", ("window",))[0])


def test_negation_marks_the_three_words_after_a_negator():
    vector, _ = features("this is not a racist thing at all", ("negation",))
    assert {"n:a", "n:racist", "n:thing"} <= set(vector)
    assert "n:at" not in vector
    assert "n:is" not in vector
    assert "n:racist" not in features("this is a racist thing", ("negation",))[0]


def test_the_threshold_is_chosen_on_the_gated_scores():
    # Four clean messages and one labelled; the highest-scoring clean one has no anchor, so the model is never
    # counted on it and it must not push the threshold up (it still counts in the share's denominator).
    scores = np.array([5.0, 4.0, 1.0, 0.5, 3.0])
    clean = np.array([True, True, True, True, False])
    gated = np.array([False, True, True, True, True])
    cut = threshold_for(scores, clean, 0.25, gated)
    assert 1.0 < cut < 3.0  # one gated clean message (4.0) may be over: the labelled one (3.0) is flagged
    assert threshold_for(scores, clean, 0.25) > 4.0  # ungated, the unanchored 5.0 would have set it


@pytest.mark.parametrize("category", ["discriminatory", "political", "live_proceedings"])
def test_each_shipped_threshold_was_chosen_behind_the_gate_the_check_uses_now(category):
    # The trainer ships how many clean and labelled training messages the category's anchor let through when it
    # chose the threshold; a changed gate (as when the live model's was narrowed after its threshold was chosen)
    # leaves a threshold chosen for other messages, and the model must be retrained.
    shipped = json.loads(LEARNED_FILE.read_text(encoding="utf-8"))["models"][category]["gate"]
    assert shipped == gate_counts(load_parts(TRAINING_PARTS), category)
