"""Render a generated site's responses: pages, feeds (RSS, Atom, JSON Feed), robots.txt, redirects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html import escape

from benchmarks.layeredweb.generate import LAYOUTS, SiteSpec

FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
Response = tuple[int, dict[str, str], bytes]


def _feed(title: str, base: str, fmt: str, items: int, every_days: float) -> Response:
    now = datetime.now(UTC)
    dates = [now - timedelta(days=n * every_days, hours=n) for n in range(items)]
    if fmt == "json":
        data = {"version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": base + "/",
                "items": [{"id": f"{base}/i/{n}", "url": f"{base}/i/{n}", "title": f"{title} {n}",
                           "date_published": d.isoformat()} for n, d in enumerate(dates)]}
        return 200, {"Content-Type": FEED_TYPES["json"]}, json.dumps(data).encode()
    if fmt == "atom":
        entries = "".join(f"<entry><title>{escape(title)} {n}</title><id>{base}/i/{n}</id>"
                          f"<updated>{d.isoformat()}</updated></entry>" for n, d in enumerate(dates))
        body = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>'
                f"<id>{base}/</id><updated>{now.isoformat()}</updated>{entries}</feed>")
        return 200, {"Content-Type": FEED_TYPES["atom"]}, body.encode()
    entries = "".join(f"<item><title>{escape(title)} {n}</title><link>{base}/i/{n}</link>"
                      f"<pubDate>{d.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
                      for n, d in enumerate(dates))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(title)}</title>{entries}</channel></rss>'
    return 200, {"Content-Type": FEED_TYPES["rss"]}, body.encode()


def _page(spec: SiteSpec, title: str, feeds: list[str], links: list[tuple[str, str]], text: str = "") -> Response:
    layout = LAYOUTS.get(spec.platform, {})
    head = f"<title>{escape(title)}</title>"
    if layout.get("generator"):
        head += f'<meta name="generator" content="{layout["generator"]}">'
    kind = FEED_TYPES["json" if spec.feed_format == "json" else "rss"]
    head += "".join(f'<link rel="alternate" type="{kind}" href="{escape(f)}">' for f in feeds)
    anchors = " ".join(f'<a href="{escape(href)}">{escape(label)}</a>' for href, label in links)
    marker = layout.get("html", "")
    body = f"<html><head>{head}</head><body>{marker}<h1>{escape(title)}</h1><p>{escape(text)}</p>{anchors}</body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def robots(spec: SiteSpec) -> str:
    """Return the site's robots.txt."""
    if spec.deny_all:
        return "User-agent: *\nDisallow: /\n"
    lines = ["User-agent: *"]
    for part in spec.parts:
        if part.disallowed:
            lines += [f"Disallow: {part.page}", f"Disallow: {part.feed}"]
    return "\n".join(lines + ["Disallow: /cgi-bin/", ""])


def _home_links(spec: SiteSpec) -> list[tuple[str, str]]:
    links = [("/about/", "About us")]
    if spec.links_to:
        links.append(("/links/", "Friends and neighbours"))
    if spec.platform == "council":
        links += [("/news/", "News"), ("/villages/", "Our villages")]
    else:
        links += [(part.page, part.title) for part in spec.parts]
    if spec.calendar:
        links.append(("/events/?month=1", "What's on"))
    return links


def _main_feeds(spec: SiteSpec, where: str) -> list[str]:
    """Feeds a page declares in its head: the main (where it is advertised) and the site's comments."""
    feeds = []
    if spec.main and spec.advert == where:
        feeds.append(spec.main)
    if spec.site_comments and where == "link-home":
        feeds.append(spec.site_comments)
    return feeds


def respond(spec: SiteSpec, path: str, base_of) -> Response:
    """Answer one GET on a generated site; ``base_of(name)`` gives a site's base URL as linked."""
    if path == "/robots.txt":
        return 200, {"Content-Type": "text/plain"}, robots(spec).encode()
    page = _site_page(spec, path, base_of)
    if page is not None:
        return page
    if spec.soft404:
        return _page(spec, "Sorry, that page has gone", [], [("/", "Home")], "Try our home page.")
    return 404, {"Content-Type": "text/plain"}, b"not found"


def _site_page(spec: SiteSpec, path: str, base_of) -> Response | None:
    base = base_of(spec.name, canonical=True)
    name = spec.name.replace("-", " ").title()
    if path == "/":
        return _page(spec, name, _main_feeds(spec, "link-home"), _home_links(spec), f"Welcome to {name}.")
    if path == "/about/":
        links = [("/", "Home")] + ([(spec.main, "RSS")] if spec.advert == "a-inner" else [])
        return _page(spec, f"About {name}", _main_feeds(spec, "link-inner") if spec.platform != "council" else [],
                     links, "Run by volunteers.")
    if path == "/links/" and spec.links_to:
        return _page(spec, "Links", [], [(base_of(other) + "/", other) for other in spec.links_to])
    if spec.platform == "directory" and path.startswith("/list/"):
        return None
    if spec.platform == "council" and path == "/news/":
        return _page(spec, "Council news", [spec.main], [("/", "Home")], "Minutes and notices.")
    if spec.platform == "council" and path == "/villages/":
        return _page(spec, "Villages", [], [(p.page, p.title) for p in spec.parts])
    if path.startswith("/events/?month="):
        month = int(path.rsplit("=", 1)[1]) if path.rsplit("=", 1)[1].isdigit() else 1
        return _page(spec, f"Events, month {month}", [], [(f"/events/?month={month + 1}", "Next month")])
    return _feed_or_part(spec, path, base)


def _feed_or_part(spec: SiteSpec, path: str, base: str) -> Response | None:
    name = spec.name.replace("-", " ").title()
    main_every = 1.0 + (sum(map(ord, spec.name)) % 7)
    if path == spec.main:
        return _feed(f"{name}", base, spec.feed_format, 12, main_every)
    if path == spec.site_comments:
        return _feed(f"Comments for {name}", base, "rss", 8, 1.0)
    for part in spec.parts:
        if path == part.feed:
            return _feed(f"{name} - {part.title}", base, "rss", 6, 3.0)
        if path == part.page:
            feeds = ([spec.main] if spec.advert == "link-home" else []) + [part.feed]
            items = [(page, page) for page in spec.items if part.title.lower().replace(" ", "-") in page]
            return _page(spec, f"{part.title} - {name}", feeds, [("/", "Home"), *items], f"{part.title} in our area.")
    for item, (feed, _role) in spec.items.items():
        if path == item:
            return _page(spec, f"A post on {name}", [feed] if feed else [], [("/", "Home")], "A neighbour writes.")
        if path == feed:
            return _feed(f"Replies on {name}", base, "rss", 3, 0.5)
    return None


def directory_page(spec: SiteSpec, path: str, base_of, per_page: int = 10) -> Response:
    """A directory: its home lists list pages; each list page links up to ``per_page`` communities."""
    pages = max(1, -(-len(spec.links_to) // per_page))
    if path == "/robots.txt":
        return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n"
    if path == "/":
        return _page(spec, f"Community directory {spec.name[-1]}", [],
                     [(f"/list/{n}", f"Page {n}") for n in range(1, pages + 1)], "Local groups A to Z.")
    if path.startswith("/list/") and path[6:].isdigit() and 1 <= int(path[6:]) <= pages:
        n = int(path[6:])
        chunk = spec.links_to[(n - 1) * per_page:n * per_page]
        return _page(spec, f"Directory page {n}", [], [(base_of(other) + "/", other) for other in chunk])
    return 404, {"Content-Type": "text/plain"}, b"not found"
