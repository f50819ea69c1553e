"""Area profiles from official open data: the ONS Postcode Directory and OS Open Names or the ONS IPN.

Pure Python, no Flask: used by ``flask areas build`` and the admin's build pages.
"""
from portal.areabuild.build import ATTRIBUTION, LICENCE_URL, AreaChoice, BuiltProfile, build_profile
from portal.areabuild.sources import AreaDataError

__all__ = ["ATTRIBUTION", "LICENCE_URL", "AreaChoice", "AreaDataError", "BuiltProfile", "build_profile"]
