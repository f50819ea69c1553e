"""Build the message check's regexes and models before the first officer types.

The detectors compile their word tables and patterns the first time a message needs them
(functools caches), so the first messages a fresh web worker checks pay for the compiling:
about 400 ms for the very first and 30-90 ms for the next few that reach a new detector, where
a warm check takes ~10 ms. Gunicorn loads the app once in its master (preload, gunicorn.conf.py)
and forks the workers from it; warmed there, every worker starts with the caches filled.

The samples are written for this purpose: one or more of each kind of problem the check looks
for and a few clean messages, so that each family of detectors is reached. They are not from the
evaluation set, and their findings are thrown away.
"""
from __future__ import annotations

import time

from portal.guidance.check import check_message, default_rules
from portal.guidance.detectors.base import lexicon, table_regex

__all__ = ["SAMPLES", "warm_up"]

SAMPLES: tuple[str, ...] = (
    "Thanks to everyone who came to the open day at the community centre on Saturday, "
    "and to the scouts for the cakes. Next beat surgery is at the library, 10am to noon.",
    "Mrs Green at 14 Orchard Close, BN7 2AB, saw the van (AB12 CDE) outside; her date of birth "
    "is 03/04/1951 and you can ring her on 07700 900123 or e-mail green@example.com.",
    "Jason Hart, 19, of Mill Road was arrested last night and charged with burglary; he's due "
    "before the magistrates on Monday and everyone knows he did it.",
    "Those travellers are all thieves, the lot of them, and the foreigners on the estate are no better.",
    "Vote Labour on Thursday: the council's cuts are a disgrace and the petition to stop them "
    "needs your signature before the election.",
    "We'll be raiding the flat above the bookies at dawn on Friday; the CCTV on the precinct is "
    "broken and there's no patrol on nights this week while the old man at no. 4 is on his own.",
    "Our neighbourhood team will be at the fete opened by Cllr Patel; vote for our team in the "
    "community awards, and the polling station at the school is closed on Thursday.",
    "lol some1 got nicked outside the chippy, our lad reckons hes guilty as sin n hes bin held "
    "since tues, cops r nowhere after 10pm",
)


def warm_up() -> float:
    """Compile every word table and run the shipped rules over the samples; return the seconds it took."""
    started = time.perf_counter()
    for name in lexicon():
        table_regex(name)
    rules = default_rules()
    for text in SAMPLES:
        check_message(text, rules)
    return time.perf_counter() - started
