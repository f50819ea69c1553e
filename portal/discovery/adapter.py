"""The one bridge between the portal and the crawler engine: settings, profiles, platforms.

``crawlers`` never imports Flask; this module turns portal configuration and rows into
the engine's plain inputs, and the engine's platform names into catalogue vocabulary.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from crawlers.discover import CLOSED_PLATFORMS as ENGINE_CLOSED_PLATFORMS
from crawlers.locality import AreaProfile, ProfileError, load_area_profile
from crawlers.records import CrawlProgress
from crawlers.settings import CrawlSettings

#: Engine platform name -> the catalogue's kind of community (portal.models.PLATFORMS).
PLATFORM_KINDS: dict[str, str] = {
    "WordPress": "blog", "Blogger": "blog", "Ghost": "blog", "Substack": "blog", "Tumblr": "blog",
    "Hugo": "blog", "Jekyll": "blog",
    "Discourse": "forum", "phpBB": "forum", "XenForo": "forum", "vBulletin": "forum",
    "Simple Machines": "forum", "MyBB": "forum",
    "Drupal": "website", "Joomla": "website", "Squarespace": "website", "Wix": "website",
    "Nextdoor": "nextdoor", "Reddit": "reddit", "Meetup": "meetup", "WhatsApp": "whatsapp", "X": "x",
}
#: Engine names of platforms that cannot be crawled (catalogued by hand).
CLOSED_ENGINE_PLATFORMS = frozenset(name for name, _host, _path in ENGINE_CLOSED_PLATFORMS)
#: How a closed platform is joined; every other community is public.
ACCESS_BY_KIND = {"whatsapp": "invite", "facebook_group": "closed", "nextdoor": "closed", "meetup": "closed"}

#: Settings a run may choose, with the config key giving its default.
RUN_LIMITS = {
    "max_pages": "CRAWL_MAX_PAGES",
    "max_depth": "CRAWL_MAX_DEPTH",
    "max_site_hops": "CRAWL_MAX_SITE_HOPS",
    "concurrency": "CRAWL_CONCURRENCY",
    "per_host": "CRAWL_PER_HOST",
    "timeout": "CRAWL_TIMEOUT",
}


def run_settings(config: Mapping[str, Any], allow_private: list[str] | tuple[str, ...] = (),
                 **limits: Any) -> dict[str, Any]:
    """Return the JSON settings stored on a crawl run: config defaults, chosen limits, private ranges.

    A limit chosen for a run can lower the configured one but never raise it.
    """
    settings: dict[str, Any] = {}
    for name, key in RUN_LIMITS.items():
        ceiling = config.get(key)
        chosen = limits.get(name)
        settings[name] = ceiling if chosen is None or ceiling is None else min(chosen, ceiling)
    ranges = [*config.get("CRAWL_ALLOW_PRIVATE", []), *allow_private]
    settings["allow_private"] = sorted({r.strip() for r in ranges if r and r.strip()})
    return settings


def crawl_settings(stored: Mapping[str, Any]) -> CrawlSettings:
    """Build the engine's settings from a run's stored settings (unknown keys are ignored)."""
    known = {name: stored[name] for name in RUN_LIMITS if stored.get(name) is not None}
    return CrawlSettings(**known, allow_private=tuple(stored.get("allow_private") or ()))


#: Refused seeds kept on a run (a run has at most 50 seeds; the engine reports each once).
MAX_REFUSED_SEEDS = 50


def run_report(progress: CrawlProgress) -> dict[str, Any]:
    """Return what the run page shows beside the counters: sites reached, left out by each limit, refused seeds."""
    return {
        "sites_queued": progress.sites_queued, "sites_visited": progress.sites_visited,
        "left_out": {"hops": progress.left_out_hops, "depth": progress.left_out_depth,
                     "site_cap": progress.left_out_site_cap, "page_cap": progress.left_out_page_cap},
        "refused_seeds": [{"seed": seed[:500], "reason": reason, "message": message[:700]}
                          for seed, reason, message in progress.refused_seeds[:MAX_REFUSED_SEEDS]],
    }


def quick_settings(config: Mapping[str, Any]) -> CrawlSettings:
    """Settings for one-off requests (inspect a site, poll a feed) from the configuration."""
    return crawl_settings(run_settings(config))


def area_profile(profile: Mapping[str, Any] | None) -> AreaProfile | None:
    """Return the engine's profile for an area's stored profile (None when it has none)."""
    if not profile or not (profile.get("places") or profile.get("postcode_districts")):
        return None
    try:
        return load_area_profile(dict(profile))
    except ProfileError:
        return None


def community_kind(engine_platform: str | None, site: str) -> str:
    """Map the engine's platform name to the catalogue's platform vocabulary."""
    if engine_platform == "Facebook":
        return "facebook_group" if "/groups/" in site else "facebook_page"
    return PLATFORM_KINDS.get(engine_platform or "", "website")


def is_closed(engine_platform: str | None) -> bool:
    """True for a closed platform the crawler can only point at (catalogue by hand)."""
    return engine_platform in CLOSED_ENGINE_PLATFORMS


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO 8601 time from the engine into naive UTC (the storage convention)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
