"""Discovery: crawl runs, the review queue, inspecting one site, feed polls."""
from flask import Blueprint

bp = Blueprint("discovery", __name__, cli_group="crawl")


@bp.record_once
def _wire_sample_web(state) -> None:
    from portal.discovery import sample_web

    sample_web.init_app(state.app)


from portal.discovery import cli, views, views_review  # noqa: E402,F401


@bp.context_processor
def _discovery_helpers() -> dict:
    from portal.discovery.adapter import is_closed

    return {"is_closed": is_closed}
