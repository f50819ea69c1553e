"""Score a crawl of a benchmark web against its truth, by feed role (see discovery_bench.py)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sampleweb.server import ground_truth, site_urls


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _ours_by_site(records: list[dict], canon) -> tuple[dict, dict, dict]:
    """Main feeds, section feed URLs and left-out counts per canonical site, from crawlers/ records."""
    mains, sections, left_out = defaultdict(set), defaultdict(set), defaultdict(Counter)
    for record in records:
        site = canon(record["site"])
        mains[site] |= {f["url"] for f in record["feeds"] if f["role"] == "main"}
        sections[site] |= {f["url"] for s in record.get("sections", []) for f in s["feeds"]}
        left_out[site].update(record.get("feeds_left_out", {}))
    return mains, sections, left_out


def _scrapy_by_site(result: dict, canon) -> tuple[dict, dict]:
    mains, feeds = defaultdict(set), defaultdict(set)
    for site, url in result.get("main_feeds", {}).items():
        mains[canon(site)].add(url)
    for site, urls in result.get("all_feeds", {}).items():
        feeds[canon(site)] |= set(urls)
    return mains, feeds


def _served(result: dict, truth: dict) -> tuple[set[str], Counter, int]:
    """Sites that served the crawler a page, item feeds declared on the item pages it was served,
    and how many item feeds it requested."""
    by_name = {t["name"]: t for t in truth.values()}
    reached, expected, fetched = set(), Counter(), 0
    item_feeds = {(t["name"], feed[len(base):]) for base, t in truth.items() for feed, _role in t["items"].values()}
    for key, path in result["served"]["requests"]:
        name = key.split(" ")[0]
        t = by_name.get(name)
        if t is None or path == "/robots.txt":
            continue
        reached.add(name)
        if path in t["items"]:
            expected[(name, t["items"][path][1])] += 1
        fetched += (name, path) in item_feeds
    return reached, expected, fetched


def score_layered(result: dict, truth: dict, scrapy: bool) -> dict:
    """Recall per role, sites reached and precision on the layered web."""
    twin_of = {t["twin"]: base for base, t in truth.items() if t["twin"]}

    def canon(site: str) -> str:
        site = site.rstrip("/")
        return twin_of.get(site, site)

    polite = {base: t for base, t in truth.items() if t["reachable"]}
    reached, expected, fetched = _served(result, truth)
    if scrapy:
        mains, feeds = _scrapy_by_site(result, canon)
        sections, left_out = feeds, None
    else:
        mains, sections, left_out = _ours_by_site(result["records"], canon)
    with_main = [base for base, t in polite.items() if t["main"]]
    main_hits = sum(1 for base in with_main if polite[base]["main"] in mains.get(base, ()))
    wanted = [(base, feed) for base, t in polite.items() for feed in t["sections"]]
    section_hits = sum(1 for base, feed in wanted if feed in sections.get(base, ()))
    reported = [(base, url, "main") for base, urls in mains.items() for url in urls]
    if not scrapy:
        reported += [(base, url, "section") for base, urls in sections.items() for url in urls]
    correct = sum(1 for base, url, role in reported if base in truth and (
        url == truth[base]["main"] if role == "main" else url in truth[base]["sections"]))
    row = {"reached": _ratio(sum(1 for t in polite.values() if t["name"] in reached), len(polite)),
           "main": _ratio(main_hits, len(with_main)), "sections": _ratio(section_hits, len(wanted)),
           "precision": _ratio(correct, len(reported)), "comments": None, "topics": None}
    if left_out is not None:
        by_name = {t["name"]: base for base, t in truth.items()}
        for role, key in (("comments", "comments"), ("topic", "topics")):
            want = {by_name[name]: n for (name, r), n in expected.items() if r == role}
            hits = sum(min(n, left_out.get(base, Counter())[role]) for base, n in want.items())
            row[key] = _ratio(hits, sum(want.values()))
        misses = [polite[b]["advert"] + "/" + polite[b]["platform"] for b in with_main
                  if polite[b]["main"] not in mains.get(b, ())]
        row["notes"] = (f"{len(polite)} sites reachable politely; item feeds requested: {fetched}; "
                        f"main misses: {dict(Counter(misses))}; left out by limits: "
                        f"{ {k[9:]: v for k, v in result['progress'].items() if k.startswith('left_out_') and v} }")
    else:
        row["notes"] = "sect rec: section feeds among all feeds fetched (Scrapy has no notion of a site's parts)"
    return row


def score_sample(result: dict, allow: str, scrapy: bool) -> dict:
    """Main-feed recall and precision on the sample web (it has no sub-communities)."""
    first = int(allow.split(":")[1].split("-")[0])
    truth = ground_truth(site_urls("127.0.0.1", first))
    if scrapy:
        mains = result.get("main_feeds", {})
        reached = set(result.get("all_feeds", {}))
    else:
        mains = {r["site"]: next((f["url"] for f in r["feeds"] if f["role"] == "main"), None)
                 for r in result["records"]}
        reached = {r["site"] for r in result["records"] if r["pages_fetched"]}
    expected = {site: t.main_feed for site, t in truth.items() if t.main_feed}
    hits = sum(1 for site, feed in expected.items() if mains.get(site) == feed)
    claimed = [(site, feed) for site, feed in mains.items() if feed and site in truth]
    correct = sum(1 for site, feed in claimed if feed in truth[site].feeds and feed not in truth[site].comments_feeds)
    return {"reached": None if scrapy else _ratio(len(reached & set(truth)), len(truth)),
            "main": _ratio(hits, len(expected)), "sections": None, "comments": None, "topics": None,
            "precision": _ratio(correct, len(claimed))}
