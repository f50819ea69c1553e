"""flask commands: init-db, users create, areas import, demo.

Feature commands (crawl, research, guidance, retention) live with their
blueprints as blueprint CLI groups.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from portal.auth.passwords import area_words, password_problem
from portal.extensions import db
from portal.models import ROLES, User

users_cli = AppGroup("users", help="Manage user accounts.")
areas_cli = AppGroup("areas", help="Manage areas and their profiles.")


@click.command("init-db")
@click.option("--app-role", default=None, metavar="ROLE",
              help="PostgreSQL: grant this existing role what the portal needs and no more (run as the owner).")
def init_db_command(app_role: str | None) -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database is up to date.")
    # An upgrade may ship changed message-check rules: bring those nobody has edited up to date here,
    # where every install already runs after upgrading, instead of relying on `guidance seed` too.
    from portal.guidance.library import seed_library
    from portal.guidance.rules import refresh_shipped_rules, seed_rules

    added, refreshed = seed_rules(), refresh_shipped_rules()
    seed_library()
    db.session.commit()
    click.echo(f"Message-check rules: {added} added, {refreshed} shipped rules nobody had edited brought up to date.")
    if app_role:
        from portal.db_roles import grant_app_role

        if db.engine.dialect.name != "postgresql":
            raise click.ClickException("--app-role is for PostgreSQL (SQLite has no roles)")
        try:
            with db.engine.begin() as conn:
                grant_app_role(conn, app_role)
        except (ValueError, LookupError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Granted {app_role} rows but no DDL; audit rows may be added, never changed. "
                   f"Run the portal as {app_role}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default=None, help="Name shown to colleagues (default: the email's local part).")
@click.option("--area", "areas", multiple=True, help="Slug of an area the user works (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, name: str | None, areas: tuple[str, ...],
                        password_stdin: bool) -> None:
    """Create a user account."""
    from portal.models import Area

    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("enter an email address", param_hint="EMAIL")
    if User.by_email(email):
        raise click.ClickException(f"a user with email {email} already exists")
    user = User(email=email, role=role, display_name=name or email.split("@")[0])
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        problem = password_problem(password, email, area_words())
        if problem:
            raise click.ClickException(problem)
        user.set_password(password)
    for slug in areas:
        area = Area.by_slug(slug)
        if area is None:
            raise click.ClickException(f"no area with slug {slug!r}")
        user.areas.append(area)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email} (id {user.id}).")


@areas_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", default=None, help="Slug for the area (default: from its name).")
def import_area_command(file: Path, slug: str | None) -> None:
    """Create or update an area from an area profile JSON file."""
    from portal.areas import ProfileError, import_area

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        area, created = import_area(data, slug=slug)
    except (ValueError, ProfileError) as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} area {area.slug} ({area.name}).")


@areas_cli.command("build")
@click.option("--onspd", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="ONS Postcode Directory CSV (or its zip).")
@click.option("--names", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="ONS Index of Place Names CSV or OS Open Names CSV (or their zip).")
@click.option("--lad", required=True, help="Local authority code (E07000063) or name.")
@click.option("--ward", "wards", multiple=True, help="Ward code or (with the IPN) name; repeatable.")
@click.option("--name", default=None, help="Name of the area (default: the council's).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Where to write the area profile JSON (then: flask areas import FILE).")
def build_area_command(onspd: Path, names: Path, lad: str, wards: tuple[str, ...], name: str | None,
                       out: Path) -> None:
    """Build an area profile from ONS / OS open data (Open Government Licence)."""
    from portal.areabuild import ATTRIBUTION, AreaChoice, AreaDataError, build_profile

    try:
        built = build_profile(onspd, names, AreaChoice(lad, wards, name))
    except AreaDataError as exc:
        raise click.ClickException(str(exc)) from exc
    out.write_text(json.dumps(built.profile, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    profile = built.profile
    click.echo(f"Wrote {out}: {profile['name']}, {len(profile['places'])} places, "
               f"{len(profile['postcode_districts'])} postcode districts ({built.postcodes} live postcodes).")
    for place, where in built.ambiguous.items():
        click.echo(f"Ambiguous, proposed for exclude_places: {place} (also in {', '.join(where)})")
    click.echo(ATTRIBUTION)


@areas_cli.command("list")
def list_areas_command() -> None:
    """List areas."""
    from portal.models import Area

    for area in Area.ordered():
        click.echo(f"{area.slug}\t{area.name}")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete existing demo users first.")
@click.option("--scale", type=click.IntRange(min=1), default=None,
              help="Also add N generated communities (with contacts and history) across 50 areas.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed for --scale.")
def demo_command(reset: bool, scale: int | None, seed: int) -> None:
    """Load a demo area, demo users for each role and sample records."""
    from portal.demo import load_demo

    if scale:
        _scale(scale, seed)

    result = load_demo(reset=reset)
    if not result.passwords:
        _echo_existing_logins()
        return
    click.echo("Demo loaded. Sign in with (passwords shown once):")
    for email, password in result.passwords.items():
        click.echo(f"  {email:38} {password}")


def _echo_existing_logins() -> None:
    """Say which demo accounts exist and how to get passwords: they are kept only as hashes."""
    from portal.demo import DEMO_USERS

    click.echo("Demo data already loaded. The demo logins (passwords were shown when the demo was first loaded):")
    for email, _, role in DEMO_USERS:
        click.echo(f"  {email:38} {role}")
    click.echo("Passwords are stored only as hashes, so they cannot be shown again. For new ones run:\n"
               "  .venv/bin/flask --app wsgi demo --reset\n"
               "(signs the demo accounts out everywhere and prints a new password for each).")


def _scale(communities: int, seed: int) -> None:
    from portal.scale import generate

    click.echo(f"Generating {communities} communities across 50 areas…")
    result = generate(communities, seed=seed, progress=lambda msg: click.echo(f"  {msg}"))
    for table, count in result.counts.items():
        click.echo(f"  {table:20} {count:>10,}")
    click.echo(f"Scale data written in {result.seconds:.1f}s.")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(areas_cli)
    app.cli.add_command(demo_command)
    from portal.jobs_recovery import jobs_cli

    app.cli.add_command(jobs_cli)
