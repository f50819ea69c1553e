"""The evaluation set's shape, and the report's arithmetic on a made-up checker."""
from __future__ import annotations

from benchmarks.guidance_eval import CATEGORIES, HELD_OUT, PARTS, SET_DIR, evaluate, load, render
from portal.guidance.check import Finding


def test_the_set_is_big_varied_and_split():
    dev, heldout = load(PARTS["dev"]), load(PARTS["heldout"])
    assert len(dev) + len(heldout) >= 400
    assert len(heldout) >= 150
    for part in (dev, heldout):
        assert {label for example in part for label in example["labels"]} == set(CATEGORIES)
        assert sum(1 for example in part if not example["labels"]) >= 40  # clean look-alikes
        assert sum(1 for example in part if len(example["labels"]) > 1) >= 10  # two problems at once
        assert len({example["register"] for example in part}) >= 6
    ids = [example["id"] for example in dev + heldout]
    assert len(ids) == len(set(ids))
    assert not {e["text"].lower() for e in dev} & {e["text"].lower() for e in heldout}


def _finding(category: str, severity: str = "needs_supervisor") -> Finding:
    return Finding(category, severity, f"{category}.x", "", 0, 0, "")


def test_report_counts_flags_not_advice():
    examples = [
        {"id": "a", "text": "phone", "labels": ["personal_data"], "register": "reply"},
        {"id": "b", "text": "vote", "labels": ["political"], "register": "other"},
        {"id": "c", "text": "hello", "labels": [], "register": "thanks"},
        {"id": "d", "text": "hello phone", "labels": [], "register": "thanks"},
    ]
    answers = {"phone": [_finding("personal_data")], "vote": [_finding("political", "advice")], "hello": [],
               "hello phone": [_finding("personal_data", "do_not_send")]}
    report = evaluate(examples, lambda text: answers[text])
    assert report.recall("personal_data") == 1.0
    assert report.precision("personal_data") == 0.5
    assert report.recall("political") == 0.0  # advice is not a flag
    assert report.clean_flag_rate() == 0.5
    assert report.confusion()["clean"] == {"nothing": 1, "personal_data": 1}
    assert [o.example["id"] for o in report.worst(5)] == ["b", "d"]
    text = render("made up", report, misses=5)
    assert "political" in text
    assert "[b]" in text
    assert "MISSED" in text


def _assert_varied(held: list[dict], size: int, per_category: int, clean: int) -> None:
    """A held-out part big enough, with every category, clean look-alikes, two-problem messages and registers."""
    assert len(held) >= size
    for category in CATEGORIES:
        assert sum(1 for example in held if category in example["labels"]) >= per_category, category
    assert sum(1 for example in held if not example["labels"]) >= clean  # clean look-alikes
    assert sum(1 for example in held if len(example["labels"]) > 1) >= 10  # two problems at once
    assert len({example["register"] for example in held}) >= 7


def _assert_new(held: list[dict], earlier: list[dict]) -> None:
    """No id and no text of a held-out part appears in the parts written before it."""
    assert not {e["id"] for e in held} & {e["id"] for e in earlier}
    assert not {e["text"].lower() for e in held} & {e["text"].lower() for e in earlier}


def test_the_second_held_out_part_is_big_varied_and_new():
    held = load(PARTS["heldout_b"])
    assert len(held) >= 250
    for category in CATEGORIES:
        assert sum(1 for example in held if category in example["labels"]) >= 35, category
    assert sum(1 for example in held if not example["labels"]) >= 90
    assert len({example["register"] for example in held}) >= 7
    earlier = load(PARTS["dev"]) + load(PARTS["heldout"])
    _assert_new(held, earlier)


def test_the_third_held_out_part_is_big_varied_and_new():
    held = load(PARTS["heldout_c"])
    _assert_varied(held, size=200, per_category=25, clean=70)
    earlier = load(PARTS["dev"]) + load(PARTS["heldout"]) + load(PARTS["heldout_b"]) + load(SET_DIR / "probe_c.jsonl")
    _assert_new(held, earlier)


def test_the_fourth_held_out_part_is_big_varied_and_new():
    held = load(PARTS["heldout_d"])
    _assert_varied(held, size=250, per_category=30, clean=80)
    assert "heldout_d" in HELD_OUT
    earlier = (load(PARTS["dev"]) + load(PARTS["heldout"]) + load(PARTS["heldout_b"])
               + load(SET_DIR / "probe_c.jsonl"))
    _assert_new(held, earlier)


def test_the_fifth_held_out_part_is_big_varied_and_new():
    held = load(PARTS["heldout_e"])
    _assert_varied(held, size=300, per_category=30, clean=100)
    assert "heldout_e" in HELD_OUT
    earlier = (load(PARTS["dev"]) + load(PARTS["heldout"]) + load(PARTS["heldout_b"]) + load(PARTS["heldout_c"])
               + load(PARTS["heldout_d"]) + load(SET_DIR / "probe_c.jsonl") + load(SET_DIR / "probe_d4.jsonl"))
    _assert_new(held, earlier)
