"""Generate a layered web from a seed: sites, their pages, links between them, and the truth.

Unlike sampleweb/ (every community one link from a directory, feeds declared on home pages),
communities here sit one, two or three sites away from the directories; many declare their
feeds only on inner pages, or only in an <a> link, or not at all (a well-known path); forums
and blogs have boards and categories with feeds of their own; per-topic and per-post
comment feeds abound; some sites answer every path with a 200 page (soft 404), some
robots.txt files shut out a site or a board, one site has an endless calendar, and some
directories link to a redirecting twin of a site (as http:// does to https://).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Platform layouts, from each platform's real URLs: main feed, how it is advertised, the
#: page and feed of a part (board, category, village), and of an item (topic or post).
LAYOUTS: dict[str, dict[str, str]] = {
    "wordpress": {"generator": "WordPress 6.5", "main": "/feed/", "site_comments": "/comments/feed/",
                  "part": "/category/{slug}/", "part_feed": "/category/{slug}/feed/", "kind": "category",
                  "item": "/2025/{n:02d}/{slug}-{n}/", "item_feed": "/2025/{n:02d}/{slug}-{n}/feed/",
                  "item_role": "comments"},
    "discourse": {"generator": "Discourse 3.2.1", "main": "/latest.rss", "part": "/c/{slug}/{n}",
                  "part_feed": "/c/{slug}/{n}.rss", "kind": "category", "item": "/t/{slug}-talk/{n}",
                  "item_feed": "/t/{slug}-talk/{n}.rss", "item_role": "topic"},
    "phpbb": {"html": 'Powered by <a href="https://www.phpbb.com/">phpBB</a>', "main": "/app.php/feed",
              "part": "/viewforum.php?f={n}", "part_feed": "/app.php/feed/forum/{n}", "kind": "board",
              "item": "/viewtopic.php?t={n}", "item_feed": "/app.php/feed/topic/{n}", "item_role": "topic"},
    "xenforo": {"html": '<html data-xf-init="x">', "main": "/forums/-/index.rss", "part": "/forums/{slug}.{n}/",
                "part_feed": "/forums/{slug}.{n}/index.rss", "kind": "board", "item": "/threads/{slug}.{n}/",
                "item_feed": "/threads/{slug}.{n}/index.rss", "item_role": "topic"},
    "blogger": {"generator": "blogger", "main": "/feeds/posts/default", "site_comments": "/feeds/comments/default",
                "part": "/search/label/{Slug}", "part_feed": "/feeds/posts/default/-/{Slug}", "kind": "category",
                "item": "/2025/{n:02d}/{slug}-{n}.html", "item_feed": "/feeds/90{n}/comments/default",
                "item_role": "comments"},
    "drupal": {"generator": "Drupal 10 (https://www.drupal.org)", "main": "/rss.xml", "part": "/taxonomy/term/{n}",
               "part_feed": "/taxonomy/term/{n}/feed", "kind": "category", "item": "/node/{n}"},
    "council": {"main": "/news/feed", "main_on": "/news/", "parts_index": "/villages/", "part": "/villages/{slug}/",
                "part_feed": "/villages/{slug}/feed", "kind": "place"},
    "static": {"main": "/updates.xml"},
    "jsonfeed": {"main": "/feed.json"},
}
#: How often each platform is drawn for a community.
PLATFORM_WEIGHTS = {"wordpress": 5, "discourse": 3, "phpbb": 3, "xenforo": 2, "blogger": 2, "drupal": 2,
                    "council": 2, "static": 3, "jsonfeed": 1}
#: How the main feed of a static or JSON Feed site is advertised.
STATIC_ADVERTS = ("link-inner", "a-inner", "none")
#: Well-known feed paths a site may use without advertising them.
WELL_KNOWN = ("/index.xml", "/feed.xml", "/atom.xml", "/rss.xml", "/feed")
SLUGS = ("news", "allotments", "events", "sport", "traffic", "schools", "lost-and-found", "history", "planning",
         "wildlife", "market", "churches", "youth", "bins", "library", "walks")
VILLAGES = ("ringmer", "barcombe", "newick", "plumpton", "chailey", "ditchling", "firle", "glynde", "iford",
            "kingston", "rodmell", "southease", "tarring", "wivelsfield")
#: Share of communities one, two and three sites away from the directories.
HOP_SHARES = (0.4, 0.35, 0.25)


@dataclass
class Part:
    """A board, category or village page with a feed of its own."""

    page: str
    feed: str
    kind: str
    title: str
    disallowed: bool = False


@dataclass
class SiteSpec:
    """One generated site: its platform, pages, feeds and links."""

    name: str
    platform: str
    hops: int
    advert: str = "link-home"
    main: str | None = None
    site_comments: str | None = None
    parts: list[Part] = field(default_factory=list)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # item page -> (feed, role)
    links_to: list[str] = field(default_factory=list)  # site names linked from /links/
    deny_all: bool = False
    soft404: bool = False
    calendar: bool = False
    twin: bool = False
    feed_format: str = "rss"


def _parts(rng: random.Random, layout: dict[str, str], platform: str) -> list[Part]:
    if "part" not in layout:
        return []
    names = VILLAGES if platform == "council" else SLUGS
    chosen = rng.sample(names, rng.randint(2, 6))
    parts = []
    for n, slug in enumerate(chosen, start=3):
        values = {"slug": slug, "Slug": slug.title().replace("-", ""), "n": n}
        parts.append(Part(layout["part"].format(**values), layout["part_feed"].format(**values), layout["kind"],
                          slug.replace("-", " ").title()))
    return parts


def _site(rng: random.Random, name: str, hops: int) -> SiteSpec:
    platform = rng.choices(list(PLATFORM_WEIGHTS), weights=list(PLATFORM_WEIGHTS.values()))[0]
    layout = LAYOUTS[platform]
    spec = SiteSpec(name, platform, hops, main=layout["main"], site_comments=layout.get("site_comments"))
    spec.parts = _parts(rng, layout, platform)
    if platform in ("static", "jsonfeed"):
        spec.advert = rng.choice(STATIC_ADVERTS)
        spec.feed_format = "json" if platform == "jsonfeed" else rng.choice(("rss", "atom"))
        if spec.advert == "none":  # only at a well-known path
            spec.main = "/feed.json" if platform == "jsonfeed" else rng.choice(WELL_KNOWN)
    elif platform == "council":
        spec.advert = "link-inner"
    if spec.parts and rng.random() < 0.2:
        spec.parts[-1].disallowed = True  # robots.txt shuts one board or category
    for n, part in enumerate(spec.parts):
        if "item" in layout:
            for k in range(rng.randint(1, 3)):
                number = 10 * (n + 3) + k
                values = {"slug": part.title.lower().replace(" ", "-"), "n": number}
                feed = layout.get("item_feed", "").format(**values) or None
                spec.items[layout["item"].format(**values)] = (feed, layout.get("item_role", ""))
    spec.soft404 = rng.random() < 0.1
    spec.deny_all = rng.random() < 0.05
    spec.calendar = rng.random() < 0.05
    spec.twin = rng.random() < 0.15
    return spec


def generate(seed: int, communities: int = 150, directories: int = 3) -> list[SiteSpec]:
    """Draw a layered web: ``directories`` directory sites, then communities by hop.

    Every community at hop h > 1 is linked from one or two communities at hop h - 1 (on
    their /links/ page); hop-1 communities are listed by one or two directories.
    """
    rng = random.Random(seed)
    dirs = [SiteSpec(f"directory-{d}", "directory", 0, main=None) for d in range(directories)]
    by_hop: dict[int, list[SiteSpec]] = {0: dirs, 1: [], 2: [], 3: []}
    for n in range(communities):
        hop = rng.choices((1, 2, 3), weights=HOP_SHARES)[0]
        by_hop[hop].append(_site(rng, f"community-{n}", hop))
    for hop in (1, 2, 3):
        parents = by_hop[hop - 1] or by_hop[0]
        for spec in by_hop[hop]:
            for parent in rng.sample(parents, min(len(parents), rng.randint(1, 2))):
                parent.links_to.append(spec.name)
    return [spec for hop in (0, 1, 2, 3) for spec in by_hop[hop]]
