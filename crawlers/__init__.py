"""Local Reach discovery engine: finds where an area's residents gather online.

Imports nothing from the portal or Flask; the public API lives in
:mod:`crawlers.pipeline`.
"""
