"""Render sample-web pages, feeds, robots.txt and sitemaps from the site table."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

from sampleweb.sites import CLOSED_LINKS, Site

__all__ = ["Page", "render"]

Page = tuple[int, str, bytes]

#: Markup each platform leaves in its pages: (meta generator, extra head markup).
MARKERS = {
    "WordPress": ("WordPress 6.5", '<link rel="stylesheet" href="/wp-content/themes/twentyone/style.css">'),
    "Blogger": ("Blogger", '<link rel="stylesheet" href="https://www.blogger.com/static/v1/widgets/css.css">'),
    "Ghost": ("Ghost 5.80", '<script src="/ghost/api/content/ghost-sdk.min.js"></script>'),
    "Wix": ("Wix.com Website Builder", '<link rel="preconnect" href="https://static.wixstatic.com">'),
    "Squarespace": ("", '<link rel="stylesheet" href="https://static1.squarespace.com/static/site.css">'),
    "Hugo": ("Hugo 0.125.4", ""),
    "Jekyll": ("Jekyll v4.3.3", ""),
    "Drupal": ("Drupal 10 (https://www.drupal.org)", '<script type="application/json" data-drupal-selector="drupal-settings-json">{}</script>'),
    "Joomla": ("Joomla! - Open Source Content Management", ""),
    "Discourse": ("Discourse 3.2.1 - https://github.com/discourse/discourse", '<meta name="discourse_theme_id" content="2">'),
    "phpBB": ("", '<link href="./styles/prosilver/theme/stylesheet.css" rel="stylesheet"><script>var phpbb_vars = {};</script>'),
    "XenForo": ("", '<html data-xf-init="tooltip"><script src="/js/xf/preamble.min.js"></script>'),
    "Simple Machines": ("", '<script>var smf_scripturl = "/index.php";</script>'),
    "MyBB": ("", '<script>var my_post_key = "x";</script><!-- MyBB, mybb.com -->'),
    "vBulletin": ("vBulletin 5.7.5", '<script src="/clientscript/vbulletin_global.js"></script>'),
}
#: Page paths per platform: forums use their software's URL shapes.
PAGE_PATHS = {
    "phpBB": "/viewtopic.php?t={n}", "Simple Machines": "/index.php?topic={n}.0",
    "MyBB": "/showthread.php?tid={n}", "vBulletin": "/showthread.php?t={n}",
    "XenForo": "/threads/topic.{n}/", "Discourse": "/t/topic/{n}",
}
TOPICS = (
    "Open day at the {place} allotments", "Litter pick along the river in {place}",
    "Road closures in {place} this weekend", "Planning meeting for the {place} recreation ground",
    "Lost cat near {place} station", "Volunteers wanted for the {place} food bank",
    "Speeding on the high street in {place}", "History talk: {place} in the war years",
    "Bonfire night arrangements in {place}", "Bus timetable changes affecting {place}",
    "Footpath repairs between {place} and the Downs", "Community fridge opens in {place}",
)
FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json",
              "rss-comments": "application/rss+xml"}


def _items(site: Site, now: datetime) -> list[tuple[int, str, datetime]]:
    rng = random.Random(site.name)
    step = 7 / site.posts_per_week
    return [(n, rng.choice(TOPICS).format(place=site.place), now - timedelta(days=n * step + rng.random()))
            for n in range(1, site.pages + 1)]


def page_path(site: Site, n: int) -> str:
    """Return the path of a site's n-th post or thread."""
    return PAGE_PATHS.get(site.platform, "/posts/{n}/").format(n=n)


def _feed_head(site: Site) -> str:
    main = next((path for path, kind in site.feeds.items() if not kind.endswith("comments")), None)
    if site.declare == "404":
        return '<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">'
    if site.declare != "link":
        return ""
    out = []
    for path, kind in site.feeds.items():
        label = "Comments Feed" if kind.endswith("comments") else "Feed"
        out.append(f'<link rel="alternate" type="{FEED_TYPES[kind]}" title="{escape(site.title)} &raquo; {label}" '
                   f'href="{escape(path)}">')
    return "\n".join(out) if main else ""


def _geo_head(site: Site) -> str:
    coords = {"Lewes": (50.873, 0.009), "Newhaven": (50.792, 0.055), "Barcombe": (50.925, 0.027),
              "Rodmell": (50.839, 0.016)}.get(site.place, (50.87, 0.01))
    if site.geo == "icbm":
        return f'<meta name="ICBM" content="{coords[0]}, {coords[1]}">'
    if site.geo == "position":
        return f'<meta name="geo.position" content="{coords[0]};{coords[1]}">'
    if site.geo == "schema":
        data = {"@context": "https://schema.org", "@type": "Place",
                "geo": {"@type": "GeoCoordinates", "latitude": coords[0], "longitude": coords[1]}}
        return f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return ""


def _page(site: Site, title: str, body: str, urls: dict[str, str]) -> bytes:
    generator, extra = MARKERS.get(site.platform, ("", ""))
    gen = f'<meta name="generator" content="{escape(generator)}">' if generator else ""
    head = (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
            f'<meta name="description" content="{escape(site.title)}, for people in and around {site.place}.">'
            f"{gen}{extra}{_feed_head(site)}{_geo_head(site)}</head>")
    footer = (f"<footer><p>{escape(site.title)}, The Old School, {escape(site.place)}, {site.postcode}</p>"
              f"<p>Contact the secretary: hello@{site.name}.example or 01632 960{len(site.name):03d}</p></footer>")
    return (head + f"<body><nav><a href=\"/\">Home</a></nav>{body}{footer}</body></html>").encode()


def _home(site: Site, urls: dict[str, str], now: datetime) -> bytes:
    posts = "".join(f'<li><a href="{escape(page_path(site, n))}">{escape(t)}</a> <time>{d:%d %B %Y}</time></li>'
                    for n, t, d in _items(site, now))
    links = "".join(f'<li><a href="{urls[name]}/">{escape(name.replace("-", " ").title())}</a></li>'
                    for name in site.links if name in urls)
    if site.kind == "directory" and site.name == "council":
        links += "".join(f'<li><a href="{url}">{escape(label)}</a></li>' for label, url in CLOSED_LINKS)
    extras = []
    if site.declare == "body":
        main = next(p for p, k in site.feeds.items() if not k.endswith("comments"))
        extras.append(f'<p><a href="{escape(main)}">Subscribe via RSS</a></p>')
    if site.fake_rss_page:
        extras.append('<p><a href="/rss">What is RSS?</a></p>')
    if site.sitemap:
        extras.append('<p><a href="/sitemap.xml">Site map (XML)</a></p>')
    if "Disallow: /private/" in site.robots:
        extras.append('<p><a href="/private/members/">Members area</a></p>')
    intro = (f"<h1>{escape(site.title)}</h1><p>News and conversation for {escape(site.place)} residents. "
             f"We meet monthly at the village hall, {escape(site.place)} {site.postcode}.</p>")
    body = f"{intro}<ul class=posts>{posts}</ul>{''.join(extras)}<h2>Links</h2><ul>{links}</ul>"
    return _page(site, site.title, body, urls)


def _post(site: Site, n: int, urls: dict[str, str], now: datetime) -> bytes | None:
    items = {num: (title, date) for num, title, date in _items(site, now)}
    if n not in items:
        return None
    title, date = items[n]
    nxt = f'<a href="{escape(page_path(site, n + 1))}">Next</a>' if n + 1 in items else ""
    body = (f"<article><h1>{escape(title)}</h1><p>Posted {date:%d %B %Y} by Sam</p>"
            f"<p>Residents of {escape(site.place)} are invited to come along. More at the notice board.</p>"
            f"</article>{nxt}")
    return _page(site, f"{title} | {site.title}", body, urls)


def _feed(site: Site, path: str, kind: str, base: str, now: datetime) -> Page:
    items = _items(site, now)[:15]
    comments = kind.endswith("comments")
    title = f"Comments for {site.title}" if comments else site.title
    if kind == "json":
        data = {"version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": base + "/",
                "items": [{"id": f"{base}{page_path(site, n)}", "url": f"{base}{page_path(site, n)}", "title": t,
                           "date_published": d.isoformat(), "authors": [{"name": "Sam"}]} for n, t, d in items]}
        return 200, FEED_TYPES["json"], json.dumps(data).encode()
    if kind == "atom":
        entries = "".join(
            f"<entry><title>{escape(t)}</title><id>{base}{escape(page_path(site, n))}</id>"
            f'<link href="{base}{escape(page_path(site, n))}"/><updated>{d.isoformat()}</updated>'
            f"<author><name>Sam</name><email>sam@example.org</email></author></entry>" for n, t, d in items)
        body = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{escape(title)}</title><id>{base}/</id><updated>{now.isoformat()}</updated>{entries}</feed>")
        return 200, FEED_TYPES["atom"], body.encode()
    point = '<georss:point>50.839 0.016</georss:point>' if site.geo == "georss" else ""
    prefix = "Re: " if comments else ""
    entries = "".join(
        f"<item><title>{prefix}{escape(t)}</title><link>{base}{escape(page_path(site, n))}</link>"
        f"<guid>{base}{escape(page_path(site, n))}{'#c' if comments else ''}</guid>"
        f"<pubDate>{format_datetime(d)}</pubDate><dc:creator>Sam</dc:creator>"
        f"<description>News for {escape(site.place)} residents.</description>{point}</item>" for n, t, d in items)
    body = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:georss="http://www.georss.org/georss"><channel><title>{escape(title)}</title>'
            f"<link>{base}/</link><description>{escape(site.title)}</description>{entries}</channel></rss>")
    return 200, FEED_TYPES["rss"], body.encode()


def _sitemap(site: Site, base: str, now: datetime) -> bytes:
    urls = "".join(f"<url><loc>{base}{escape(page_path(site, n))}</loc></url>" for n, _t, _d in _items(site, now))
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/</loc></url>{urls}</urlset>").encode()


def _post_number(site: Site, path: str) -> int | None:
    template = PAGE_PATHS.get(site.platform, "/posts/{n}/")
    head, _, tail = template.partition("{n}")
    if path.startswith(head) and path.endswith(tail):
        middle = path[len(head):len(path) - len(tail)] if tail else path[len(head):]
        return int(middle) if middle.isdigit() else None
    return None


def render(site: Site, path: str, urls: dict[str, str], now: datetime | None = None) -> Page:
    """Answer one GET on a sample site.

    Args:
        site: the site.
        path: the request path with its query string.
        urls: site name → base URL (no trailing slash) of every sample site.
        now: the reference time for post dates.

    Returns:
        ``(status, content_type, body)``.
    """
    now = now or datetime.now(UTC)
    base = urls[site.name]
    html = "text/html; charset=utf-8"
    if path == "/robots.txt":
        text = site.robots or "User-agent: *\nAllow: /\n"
        if site.sitemap:
            text += f"Sitemap: {base}/sitemap.xml\n"
        return 200, "text/plain", text.encode()
    if path in site.feeds:
        return _feed(site, path, site.feeds[path], base, now)
    for alias in site.aliases:
        if path == alias:
            main = next(p for p, k in site.feeds.items() if not k.endswith("comments"))
            if alias == "/feed":
                return 301, main, b""
            return _feed(site, alias, site.feeds[main], base, now)
    if path == "/":
        return 200, html, _home(site, urls, now)
    if site.sitemap and path == "/sitemap.xml":
        return 200, "application/xml", _sitemap(site, base, now)
    if site.fake_rss_page and path == "/rss":
        return 200, html, _page(site, "What is RSS?", "<h1>RSS feeds explained</h1><p>Ask us.</p>", urls)
    n = _post_number(site, path)
    post = _post(site, n, urls, now) if n is not None else None
    if post is not None:
        return 200, html, post
    if site.soft404:
        return 200, html, _page(site, "Page not found", "<h1>Sorry, that page has moved</h1>", urls)
    return 404, html, _page(site, "Not found", "<h1>Not found</h1>", urls)
