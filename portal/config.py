"""Settings read from the environment, with embedded defaults for one machine."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from crawlers import settings as crawl_defaults

#: Pages per crawl run started from the portal: a deliberate ceiling below the engine's own
#: default (crawlers.settings.DEFAULT_MAX_PAGES, which `python -m crawlers` uses). Runs share the
#: job workers with every other area's runs, polls and notices, and an officer can ask for fewer
#: pages but never more (portal.discovery.adapter.run_settings); an admin raises it with the
#: environment variable. The other crawl limits are the engine's defaults (one source).
PORTAL_CRAWL_MAX_PAGES = 500


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, name: str = "SECRET_KEY") -> str:
    """Return a key from the environment (SECRET_KEY, AUDIT_KEY), or one kept in the instance folder.

    A generated key is written once with owner-only permissions so sessions (and the audit
    chain's digests) survive restarts without anyone having to invent a secret.
    """
    if os.environ.get(name):
        return os.environ[name]
    key_file = instance_path / name.lower()
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def database_url(instance_path: Path) -> str:
    """Return the SQLAlchemy URL: DATABASE_URL, or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'local_reach.sqlite'}"
    # Hosting platforms still hand out postgres:// URLs; psycopg 3 is our driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# Days each kind of record is kept before retention disposes of it (docs/PRIVACY.md says why).
RETENTION_DEFAULTS = {
    "RETENTION_CANDIDATE_DAYS": 90,        # crawl candidates never accepted, since last seen
    "RETENTION_CONTACT_TEXT_DAYS": 730,    # message text, links and notes, after the last contact
    "RETENTION_MEETING_NOTES_DAYS": 730,   # meeting notes, after the meeting
    "RETENTION_USER_DAYS": 730,            # deactivated accounts are anonymised after this
    "RETENTION_INVITE_DAYS": 14,           # unused invitation links expire
    "RETENTION_JOB_DAYS": 90,              # finished background job records
    "RETENTION_NOTICE_DAYS": 90,           # e-mail notices sent or cancelled
    "RETENTION_AUDIT_DAYS": 2557,          # audit events: 7 years (the database refuses < 6)
    "RETENTION_REVIEW_WINDOW_DAYS": 30,    # list records this close to disposal for review
}


def engine_options() -> dict:
    """Connection pool settings.

    A pre-ping costs one extra database round trip on every request (measured: a fifth of
    a list page's queries), so by default connections are instead recycled after
    DATABASE_POOL_RECYCLE seconds (300), before server or proxy idle timeouts close them.
    After a database restart each worker's first query fails once and the pool reconnects;
    set DATABASE_PRE_PING=1 where that is not acceptable (e.g. a failover setup).
    """
    return {"pool_pre_ping": _bool("DATABASE_PRE_PING", False),
            "pool_recycle": int(os.environ.get("DATABASE_POOL_RECYCLE", 300))}


def load(instance_path: Path) -> dict:
    """Build the configuration mapping for create_app."""
    redis_url = os.environ.get("REDIS_URL", "").strip() or None
    return {
        "SECRET_KEY": _secret_key(instance_path),
        # Keys the audit chain's digests (portal/audit_chain.py): the verifier needs the same key.
        "AUDIT_KEY": _secret_key(instance_path, "AUDIT_KEY"),
        # Read-audit rows committed without waiting for the disk (PostgreSQL): portal/audit_reads.py.
        "AUDIT_READS_ASYNC_COMMIT": _bool("AUDIT_READS_ASYNC_COMMIT", False),
        # The audit chain's head unlocked before the commit's WAL flush, then waited for (PostgreSQL):
        # portal/audit_chain.py. Off until a quiet machine's A/B shows the web pages gain (benchmarks/README.md).
        "AUDIT_CHAIN_EARLY_UNLOCK": _bool("AUDIT_CHAIN_EARLY_UNLOCK", False),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(),
        "REDIS_URL": redis_url,
        # Sessions: HTTPS-only cookies unless explicitly relaxed for a loopback demo.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        # A sign-in lasts that long from sign-in (user_sessions.created_at): the cookie's expiry
        # is set once, at sign-in, not pushed back by every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; forms stay open on phones
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Research reports are kept this long (Redis when set, else per web process); 0: always recount.
        "RESEARCH_CACHE_SECONDS": int(os.environ.get("RESEARCH_CACHE_SECONDS", 300)),
        # How far a researcher's current year runs: "month_end" (1 January to the last completed month-end,
        # so the figures change once a month) or "today" (live: unsafe for researchers, whose views a week
        # apart then differ by that week's contacts; for admins' checks and tests).
        "RESEARCH_FIGURES_TO": os.environ.get("RESEARCH_FIGURES_TO", "month_end"),
        # How long Home's "gone quiet" count keeps an area's dropped-activity ids (portal/outreach/queries.py).
        "GONE_QUIET_CACHE_SECONDS": int(os.environ.get("GONE_QUIET_CACHE_SECONDS", 60)),
        # SQLite: look catalogue searches up in the FTS5 index (migration 0029); "0" reads every row
        # instead (benchmarks/search_bench.py --compare-like measures both in one run).
        "CATALOGUE_SEARCH_INDEX": os.environ.get("CATALOGUE_SEARCH_INDEX", "1") != "0",
        # PostgreSQL: a force-wide term with punctuation is looked up in the search key's trigram index
        # (migration 0039); "0" uses the search_text index alone (benchmarks/search_bench.py --compare-key).
        "CATALOGUE_SEARCH_KEY": os.environ.get("CATALOGUE_SEARCH_KEY", "1") != "0",
        # Sign-in throttling (portal/auth/throttle.py): free tries per scope, then waits that double.
        # LOCKOUT_THRESHOLD / LOCKOUT_MINUTES (the old hard lock's settings) still set the first two.
        "THROTTLE_FREE_TRIES": int(os.environ.get("THROTTLE_FREE_TRIES", os.environ.get("LOCKOUT_THRESHOLD", 5))),
        "THROTTLE_MAX_WAIT_MINUTES": int(os.environ.get("THROTTLE_MAX_WAIT_MINUTES",
                                                        os.environ.get("LOCKOUT_MINUTES", 15))),
        "THROTTLE_CLIENT_FREE_TRIES": int(os.environ.get("THROTTLE_CLIENT_FREE_TRIES", 30)),
        "THROTTLE_ACCOUNT_FREE_TRIES": int(os.environ.get("THROTTLE_ACCOUNT_FREE_TRIES", 50)),
        "THROTTLE_ACCOUNT_MAX_WAIT_MINUTES": int(os.environ.get("THROTTLE_ACCOUNT_MAX_WAIT_MINUTES", 60)),
        "PSEUDONYM_KEY": os.environ.get("PSEUDONYM_KEY") or None,
        # Research package (docs/RESEARCH_PACKAGE.md): smallest group a package may name; where
        # built packages wait (shared by web and RQ workers; default instance/research_exports).
        "DISCLOSURE_MIN_CELL": int(os.environ.get("DISCLOSURE_MIN_CELL", 10)),
        "EXPORT_FOLDER": os.environ.get("EXPORT_FOLDER") or None,
        "EXPORT_KEEP_HOURS": float(os.environ.get("EXPORT_KEEP_HOURS", 24)),
        # Crawler limits (see crawlers/settings.py for where each default comes from).
        "CRAWL_MAX_PAGES": int(os.environ.get("CRAWL_MAX_PAGES", PORTAL_CRAWL_MAX_PAGES)),
        "CRAWL_MAX_DEPTH": int(os.environ.get("CRAWL_MAX_DEPTH", crawl_defaults.DEFAULT_MAX_DEPTH)),
        "CRAWL_MAX_SITE_HOPS": int(os.environ.get("CRAWL_MAX_SITE_HOPS", crawl_defaults.DEFAULT_MAX_SITE_HOPS)),
        "CRAWL_CONCURRENCY": int(os.environ.get("CRAWL_CONCURRENCY", crawl_defaults.DEFAULT_CONCURRENCY)),
        "CRAWL_PER_HOST": int(os.environ.get("CRAWL_PER_HOST", crawl_defaults.DEFAULT_PER_HOST)),
        "CRAWL_TIMEOUT": float(os.environ.get("CRAWL_TIMEOUT", crawl_defaults.DEFAULT_TIMEOUT)),
        "CRAWL_ALLOW_PRIVATE": [
            item for item in os.environ.get("CRAWL_ALLOW_PRIVATE", "").split(",") if item.strip()
        ],
        # A running crawl whose heartbeat is older than this is marked interrupted.
        "CRAWL_STALE_SECONDS": int(os.environ.get("CRAWL_STALE_SECONDS", 120)),
        # Feeds of catalogued communities are re-polled no more often than this.
        "CRAWL_MIN_REPOLL_SECONDS": int(os.environ.get("CRAWL_MIN_REPOLL_SECONDS", 3600)),
        # Largest official file (ONSPD, IPN, OS Open Names) an admin may upload to build an area.
        "AREA_DATA_MAX_BYTES": int(os.environ.get("AREA_DATA_MAX_BYTES", 2 * 1024**3)),
        "JOBS_INLINE": _bool("JOBS_INLINE", False),
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "local-reach"),
        "JOBS_MAX_ATTEMPTS": int(os.environ.get("JOBS_MAX_ATTEMPTS", 3)),
        "JOBS_HEARTBEAT_SECONDS": float(os.environ.get("JOBS_HEARTBEAT_SECONDS", 15)),
        "JOBS_THREADS": int(os.environ.get("JOBS_THREADS", 2)),
        # Notices (portal/notices/, README "Mail and notices"): NOTIFY_BACKEND is "smtp", "govuk_notify"
        # or empty (no notices: invitation links are shown to the admin to pass on by hand).
        "NOTIFY_BACKEND": os.environ.get("NOTIFY_BACKEND", "").strip().lower(),
        # The portal's address as users reach it, for the links in notices (e.g. https://reach.example.police.uk).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").strip().rstrip("/") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "local-reach@localhost"),
        "MAIL_HOST": os.environ.get("MAIL_HOST", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_STARTTLS": _bool("MAIL_STARTTLS", False),
        "MAIL_SSL": _bool("MAIL_SSL", False),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", 20)),
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY") or None,
        "NOTIFY_TEMPLATE_ID": os.environ.get("NOTIFY_TEMPLATE_ID") or None,
        "NOTIFY_BASE_URL": os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        # A notice is tried this often in all (jobs' retries, then `flask notify run`) before it waits for an admin.
        "NOTIFY_MAX_TRIES": int(os.environ.get("NOTIFY_MAX_TRIES", 8)),
        # Single sign-on through the force's OpenID Connect provider (README "Single sign-on"): on when
        # OIDC_ISSUER and OIDC_CLIENT_ID are set. LOCAL_PASSWORDS=0 then switches local passwords off.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip() or None,
        "OIDC_METADATA_URL": os.environ.get("OIDC_METADATA_URL", "").strip() or None,
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip() or None,
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_SCOPES": os.environ.get("OIDC_SCOPES", "openid email profile"),
        "OIDC_GROUPS_CLAIM": os.environ.get("OIDC_GROUPS_CLAIM", "groups"),
        "OIDC_EMAIL_CLAIM": os.environ.get("OIDC_EMAIL_CLAIM", "email"),
        "OIDC_NAME_CLAIM": os.environ.get("OIDC_NAME_CLAIM", "name"),
        "OIDC_PROVIDER_NAME": os.environ.get("OIDC_PROVIDER_NAME", "your force account"),
        "OIDC_TIMEOUT": float(os.environ.get("OIDC_TIMEOUT", 10)),
        "OIDC_LEEWAY": int(os.environ.get("OIDC_LEEWAY", 60)),  # seconds of clock difference allowed
        "LOCAL_PASSWORDS": _bool("LOCAL_PASSWORDS", True),
        # Serving: number of reverse proxies in front whose X-Forwarded-* headers to trust (0: none).
        "TRUST_PROXY": int(os.environ.get("TRUST_PROXY", 0) or 0),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text").strip().lower(),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").strip().upper(),
        # Retention periods in days (see docs/PRIVACY.md and portal/auditor/retention.py).
        **{key: int(os.environ.get(key, default)) for key, default in RETENTION_DEFAULTS.items()},
        # Proportionality: a site is crawled again no sooner than this (portal/proportionality.py).
        "CRAWL_MIN_INTERVAL_HOURS": float(os.environ.get("CRAWL_MIN_INTERVAL_HOURS", 24)),
        "PAGE_SIZE": 25,
        # Request bodies: no form needs more (the largest field is a 200,000-character area
        # profile); larger bodies are refused with 413 before they are parsed.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,  # one multipart text field
        "MAX_FORM_PARTS": 1000,
        "MAX_FIELD_CHARS": 250_000,  # one form or query field (portal/security.py)
    }
