"""flask crawl run | recover | poll."""
from __future__ import annotations

import click
from flask import current_app

from portal.discovery import bp
from portal.discovery.forms import parse_seeds
from portal.extensions import db
from portal.models import Area, CrawlRun


@bp.cli.command("run")
@click.option("--area", "slug", required=True, help="Slug of the area to search for.")
@click.option("--seed", "seeds", multiple=True, required=True, help="Seed page URL (repeatable).")
@click.option("--allow-private", "allow_private", multiple=True, metavar="HOST:PORT[-LAST]",
              help="Let this crawl reach a loopback/private address range (a local sample web).")
@click.option("--max-pages", type=click.IntRange(1), default=None, help="At most CRAWL_MAX_PAGES.")
@click.option("--max-depth", type=click.IntRange(0, 10), default=None,
              help="Links inside one site; at most CRAWL_MAX_DEPTH.")
@click.option("--max-site-hops", type=click.IntRange(0, 10), default=None,
              help="Sites away from a seed's site; at most CRAWL_MAX_SITE_HOPS.")
@click.option("--background", is_flag=True, help="Queue the run and return at once.")
@click.option("--split", "parts", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Split the crawl by seed site into up to N runs, one job each (RQ workers share them).")
def run_command(slug, seeds, allow_private, max_pages, max_depth, max_site_hops, background, parts) -> None:
    """Crawl from seed pages for an area and store what it finds as candidates."""
    from portal.discovery.runs import start_run, start_split_run

    area = Area.by_slug(slug)
    if area is None:
        raise click.ClickException(f"no area with slug {slug!r}")
    valid, bad = parse_seeds(" ".join(seeds))
    if bad or not valid:
        raise click.ClickException(f"not http(s) addresses: {', '.join(bad) or 'none given'}")
    if background and not current_app.config.get("REDIS_URL"):
        raise click.ClickException("--background needs REDIS_URL and an RQ worker")
    if not background:
        current_app.config["JOBS_INLINE"] = True  # the command waits for its own crawl
    limits = {"allow_private": allow_private, "max_pages": max_pages, "max_depth": max_depth,
              "max_site_hops": max_site_hops}
    if parts > 1:
        started = start_split_run(area, valid, None, parts=parts, **limits)
    else:
        started = [start_run(area, valid, None, **limits)]
    db.session.expire_all()
    failed = []
    for run in (db.session.get_one(CrawlRun, r.id) for r in started):
        click.echo(f"Crawl run {run.id}: {run.status}; {run.pages_fetched} pages, {run.sites_found} sites, "
                   f"{run.feeds_found} feeds, {run.errors_count} errors.")
        for refused in (run.report or {}).get("refused_seeds", []):
            click.echo(f"  seed refused: {refused['message']}", err=True)
        if run.status == "failed":
            failed.append(f"run {run.id}: " + "; ".join(run.errors or ["the crawl failed"]))
    if failed:
        raise click.ClickException(" | ".join(failed))


@bp.cli.command("recover")
@click.option("--all", "everything", is_flag=True,
              help="Mark every queued or running run interrupted (use after a crash, with no worker alive).")
def recover_command(everything: bool) -> None:
    """Mark crawl runs a crash left behind as interrupted."""
    from portal.discovery.runs import recover_stale_runs

    ids = recover_stale_runs(everything=everything)
    click.echo(f"Marked {len(ids)} run(s) interrupted" + (f": {', '.join(map(str, ids))}" if ids else "."))


@bp.cli.command("poll")
@click.option("--area", "slug", default=None, help="Only this area's communities.")
@click.option("--force", is_flag=True, help="Poll even feeds whose minimum re-poll interval has not passed.")
def poll_command(slug: str | None, force: bool) -> None:
    """Re-poll feeds of catalogued communities (conditional GET), recording activity samples.

    Schedule it, e.g. hourly from cron: ``flask --app wsgi crawl poll``.
    """
    from portal.discovery.polling import poll_due_feeds

    area = None
    if slug:
        area = Area.by_slug(slug)
        if area is None:
            raise click.ClickException(f"no area with slug {slug!r}")
    summary = poll_due_feeds(area, force=force)
    click.echo(f"Polled {summary.polled} feed(s): {summary.changed} changed, "
               f"{summary.not_modified} not modified, {summary.failed} failed.")
