"""The one place that reads HX-* request headers and sets HX-* response headers."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template, request
from jinja2 import Template


def is_fragment_request() -> bool:
    """True for a non-boosted htmx request that is not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def target() -> str | None:
    """Return the id of the element htmx will swap, if any."""
    return request.headers.get("HX-Target")


def render(template_name: str, block: str | None = None, **context: Any) -> Response:
    """Render a whole page, or only one named block of it for an htmx fragment request.

    The block name, the element id and ``hx-target`` are one name. Always varies
    on HX-Request so caches never serve a fragment as a page.
    """
    if block and is_fragment_request():
        body = render_block(template_name, block, **context)
    else:
        body = render_template(template_name, **context)
    response = Response(body)
    response.vary.add("HX-Request")
    return response


def render_block(template_name: str, block: str, **context: Any) -> str:
    """Render a single named block of a template with the normal context processors.

    Top-level ``{% from … import %}`` statements do not run for a lone block, so a
    fragment block imports the macros it uses inside itself.
    """
    from flask import current_app

    env = current_app.jinja_env
    template: Template = env.get_template(template_name)
    ctx = dict(context)
    current_app.update_template_context(ctx)
    try:
        block_render = template.blocks[block]
    except KeyError as exc:
        raise LookupError(f"{template_name} has no block {block!r}") from exc
    jinja_ctx = template.new_context(ctx)
    return "".join(block_render(jinja_ctx))


def trigger(response: Response, *events: str, **events_with_detail: Any) -> Response:
    """Ask htmx to fire client events (other regions refresh on them)."""
    payload: dict[str, Any] = {name: True for name in events}
    payload.update(events_with_detail)
    if payload:
        response.headers["HX-Trigger"] = json.dumps(payload)
    return response


def stop_polling(response: Response) -> Response:
    """Tell a polling element to stop (htmx treats HTTP 286 as 'done')."""
    response.status_code = 286
    return response


def redirect(url: str) -> Response:
    """Full navigation: HX-Redirect for htmx requests, 303 otherwise."""
    if request.headers.get("HX-Request") == "true":
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    response = Response(status=303)
    response.headers["Location"] = url
    return response
