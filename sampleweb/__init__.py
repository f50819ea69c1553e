"""An offline sample web for the Lewes district demo area, served on loopback.

Each site listens on its own 127.0.0.1 port (so sites differ by host:port, as real
ones differ by host)::

    with sampleweb.serve() as web:
        web.seeds            # the council directory, the local paper, a parish links page
        web.allow_private    # "127.0.0.1:FIRST-LAST", for CrawlSettings.allow_private
        web.url_for("lewes-town-forum")
        web.ground_truth     # site URL -> GroundTruth(local, platform, main_feed, feeds)
        web.requests         # (site name, path) of every request served, for politeness checks
"""

from sampleweb.server import GroundTruth, SampleWeb, serve

__all__ = ["GroundTruth", "SampleWeb", "serve"]
