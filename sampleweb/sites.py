"""The sample web's sites, as data: one row per site, rendered by sampleweb.render.

Invented sites for the Lewes district demo area (and a few neighbours and outsiders).
Place names and postcode districts are real; every business, group, address detail,
e-mail address and phone number is made up (phone numbers use Ofcom's drama ranges).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CLOSED_LINKS", "SITES", "Site"]


@dataclass(frozen=True)
class Site:
    """One sample site.

    ``feeds`` maps path → kind ("rss", "atom", "json", "rss-comments"); ``declare`` says how
    the main feed is advertised: "link" (<link rel=alternate>), "body" (an <a> in the page),
    "none" (only guessable), "404" (declared but missing), "absent" (no feed at all).
    """

    name: str
    title: str
    platform: str
    local: bool
    place: str
    postcode: str
    kind: str = "blog"
    feeds: dict[str, str] = field(default_factory=dict)
    declare: str = "link"
    pages: int = 18
    links: tuple[str, ...] = ()
    robots: str = ""
    soft404: bool = False
    fake_rss_page: bool = False
    sitemap: bool = False
    geo: str = ""
    encoding: str = ""
    aliases: tuple[str, ...] = ()
    posts_per_week: float = 2.0


COMMUNITY = (
    "lewes-allotments", "seaford-seafront", "newhaven-history", "peacehaven-residents", "ringmer-news",
    "barcombe-bugle", "ditchling-diary", "telscombe-community", "kingston-village", "plumpton-green",
    "wivelsfield-walkers", "lewes-residents", "seaford-wildlife", "newhaven-portwatch", "cliffe-hill-walkers",
    "rodmell-news", "bonfire-forum", "lewes-town-forum", "seaford-forum", "ouse-anglers",
    "peacehaven-neighbours", "newhaven-fort-friends", "downs-cyclists", "lewes-estate-agent",
)

SITES: tuple[Site, ...] = (
    Site("council", "Lewes District Council: community directory", "Drupal", True, "Lewes", "BN7 1AB",
         kind="directory", feeds={"/news/rss.xml": "rss"}, pages=6,
         links=COMMUNITY + ("hanover-centre", "lewes-road-garden", "kingston-thames", "widgets-direct")),
    Site("sussex-express", "Sussex Express: Lewes, Seaford and Newhaven news", "WordPress", True, "Lewes",
         "BN7 2NZ", kind="news", feeds={"/feed/": "rss", "/comments/feed/": "rss-comments"}, pages=30,
         links=("lewes-town-forum", "seaford-forum", "rodmell-news", "manchester-cycling", "hanover-centre")),
    Site("ringmer-parish", "Ringmer Parish Council: useful links", "Joomla", True, "Ringmer", "BN8 5LA",
         kind="directory", feeds={}, declare="absent", pages=3,
         links=("ringmer-news", "barcombe-bugle", "plumpton-green", "wivelsfield-walkers", "kingston-village")),
    Site("lewes-allotments", "Lewes Allotment Society", "WordPress", True, "Lewes", "BN7 2HG",
         feeds={"/feed/": "rss", "/comments/feed/": "rss-comments"}, aliases=("/?feed=rss2", "/feed"),
         geo="icbm", links=("ringmer-news",)),
    Site("seaford-seafront", "Seaford Seafront Diary", "Blogger", True, "Seaford", "BN25 1QR",
         feeds={"/feeds/posts/default": "atom", "/feeds/comments/default": "rss-comments"}),
    Site("newhaven-history", "Newhaven Local History Group", "Ghost", True, "Newhaven", "BN9 9DA",
         feeds={"/rss/": "rss"}, encoding="gzip", geo="schema"),
    Site("peacehaven-residents", "Peacehaven Residents' Blog", "Wix", True, "Peacehaven", "BN10 8BB",
         feeds={"/blog-feed.xml": "rss"}),
    Site("ringmer-news", "Ringmer Village News", "Squarespace", True, "Ringmer", "BN8 5QE",
         feeds={"/blog?format=rss": "rss"}, encoding="br"),
    Site("barcombe-bugle", "The Barcombe Bugle", "Hugo", True, "Barcombe", "BN8 5TS",
         feeds={"/index.xml": "rss"}, geo="position"),
    Site("ditchling-diary", "Ditchling Village Diary", "Jekyll", True, "Ditchling", "BN6 8TB",
         feeds={"/feed.xml": "atom"}, declare="body"),
    Site("telscombe-community", "Telscombe Cliffs Community Association", "Drupal", True, "Telscombe",
         "BN10 7HE", feeds={"/rss.xml": "rss"}, declare="none"),
    Site("kingston-village", "Kingston near Lewes Village Website", "WordPress", True, "Kingston near Lewes",
         "BN7 3NT", feeds={"/feed/": "rss"}, aliases=("/?feed=rss2", "/feed"), declare="none"),
    Site("plumpton-green", "Plumpton Green Noticeboard", "Hugo", True, "Plumpton", "BN7 3BU",
         feeds={"/feed.json": "json"}),
    Site("wivelsfield-walkers", "Wivelsfield Green Walkers", "Jekyll", True, "Wivelsfield", "RH17 7QU",
         feeds={"/atom.xml": "atom"}, declare="body"),
    Site("lewes-residents", "Lewes Town Residents' Association", "Joomla", True, "Lewes", "BN7 1XS",
         feeds={}, declare="absent", pages=8),
    Site("seaford-wildlife", "Seaford Wildlife Group", "Hugo", True, "Seaford", "BN25 2JP",
         feeds={}, declare="404", pages=10),
    Site("newhaven-portwatch", "Newhaven Port Watch", "WordPress", True, "Newhaven", "BN9 0BN",
         feeds={}, declare="absent", soft404=True, pages=8),
    Site("cliffe-hill-walkers", "Cliffe Hill Walkers", "Hugo", True, "Lewes", "BN7 2BU",
         feeds={"/feed.xml": "rss"}, fake_rss_page=True),
    Site("rodmell-news", "Rodmell Village News", "WordPress", True, "Rodmell", "BN7 3HF",
         feeds={"/feed/": "rss"}, aliases=("/?feed=rss2", "/feed"), sitemap=True, geo="georss"),
    Site("bonfire-forum", "Lewes Bonfire Societies Forum", "Simple Machines", True, "Lewes", "BN7 2LP",
         kind="forum", feeds={"/index.php?action=.xml;type=rss": "rss"},
         robots="User-agent: *\nDisallow: /private/\nCrawl-delay: 0.1\n"),
    Site("lewes-town-forum", "Lewes Town Forum", "Discourse", True, "Lewes", "BN7 1YJ", kind="forum",
         feeds={"/latest.rss": "rss", "/posts.rss": "rss-comments"}, pages=30),
    Site("seaford-forum", "Seaford Community Forum", "phpBB", True, "Seaford", "BN25 4AA", kind="forum",
         feeds={"/app.php/feed": "atom"}, pages=30),
    Site("ouse-anglers", "Ouse Valley Anglers", "XenForo", True, "Barcombe", "BN8 5BN", kind="forum",
         feeds={"/forums/-/index.rss": "rss"}, pages=24),
    Site("peacehaven-neighbours", "Peacehaven Neighbours Forum", "MyBB", True, "Peacehaven", "BN10 7NL",
         kind="forum", feeds={"/syndication.php": "rss"}, pages=24),
    Site("newhaven-fort-friends", "Friends of Newhaven Fort", "vBulletin", True, "Newhaven", "BN9 9DS",
         kind="forum", feeds={"/external.php?type=RSS2": "rss"}, pages=24),
    Site("downs-cyclists", "South Downs Cycling Club (Lewes)", "phpBB", True, "Lewes", "BN7 2QP",
         kind="forum", feeds={"/app.php/feed": "atom"}, declare="none", pages=24),
    Site("lewes-estate-agent", "Cliffe Estates: property in Lewes", "Squarespace", True, "Lewes", "BN7 2AN",
         kind="commercial", feeds={"/blog?format=rss": "rss"}, pages=10),
    Site("hanover-centre", "Hanover Community Centre", "WordPress", False, "Hanover", "BN2 9SS",
         feeds={"/feed/": "rss"}, aliases=("/?feed=rss2", "/feed")),
    Site("lewes-road-garden", "Lewes Road Community Garden", "Ghost", False, "Brighton", "BN2 4GL",
         feeds={"/rss/": "rss"}),
    Site("kingston-thames", "Kingston upon Thames Residents Online", "WordPress", False, "Kingston upon Thames",
         "KT1 1EU", feeds={"/feed/": "rss"}, aliases=("/?feed=rss2", "/feed")),
    Site("manchester-cycling", "Manchester Cycling Forum", "XenForo", False, "Manchester", "M1 1AE",
         kind="forum", feeds={"/forums/-/index.rss": "rss"}, pages=20),
    Site("widgets-direct", "Widgets Direct: nationwide delivery", "Wix", False, "Milton Keynes", "MK9 2FX",
         kind="commercial", feeds={}, declare="absent", pages=8),
)

#: Closed-platform communities linked from the council directory (catalogued by hand).
CLOSED_LINKS: tuple[tuple[str, str], ...] = (
    ("Lewes Residents Group on Facebook", "https://www.facebook.com/groups/lewesresidentsgroup"),
    ("Seaford on Nextdoor", "https://nextdoor.co.uk/neighbourhood/seafordtown--seaford--england/"),
    ("r/lewes", "https://www.reddit.com/r/lewes/"),
    ("Lewes Walkers on Meetup", "https://www.meetup.com/lewes-walkers/"),
    ("Newhaven street WhatsApp (invite)", "https://chat.whatsapp.com/AbCdEf0123456789"),
    ("Peacehaven news on X", "https://x.com/PeacehavenNews"),
)
