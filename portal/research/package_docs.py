"""The package's datapackage.json (codebook, keys, provenance) and its README (the study documentation)."""
from __future__ import annotations

import functools
import logging
import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from portal.research.codebook import PACKAGE_VERSION, RESOURCES, Shape
from portal.research.disclosure import min_cell
from portal.research.vocabulary import NOT_APPLICABLE, STAGE_DEFINITIONS, SUPPRESSED, UNKNOWN, VOCABULARIES

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
CITATION = ("{org} ({year}). Local Reach research extract: pseudonymised outreach and relationship data, "
            "package {name}, version {version}. Research project: {project}.")


@functools.cache
def application_version() -> tuple[str, str]:
    """(version from pyproject.toml, git commit from LOCAL_REACH_COMMIT or the checkout; 'unknown' when neither)."""
    try:
        version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    commit = os.environ.get("LOCAL_REACH_COMMIT", "").strip()
    if not commit:
        try:
            commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,  # noqa: S607
                                    timeout=5, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            logger.info("no git commit for the export's provenance")
            commit = "unknown"
    return version, commit or "unknown"


def descriptor(provenance: dict[str, Any], shape: Shape, checksums: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The datapackage.json of an export: resources with schemas and keys, hashes, and provenance."""
    filters = provenance.get("filters") or {}
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "local-reach-export", "title": "Local Reach: pseudonymised outreach and relationship data",
        "version": PACKAGE_VERSION, "created": provenance["created"],
        "licenses": [{"name": "other-closed", "title": "Restricted research use under the project's data "
                      "sharing agreement; see README.md, Data-use terms"}],
        "description": "Exported by Local Reach. Filters: " + (", ".join(f"{k}={v}" for k, v in filters.items())
                                                               or "none"),
        "provenance": provenance,
        "resources": [{
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": text, "schema": schema(shape),
            **checksums.get(name, {}),
        } for name, text, schema in RESOURCES],
    }


def _labels() -> str:
    lines = []
    for name in ("stage", "outcome", "purpose", "status", "provenance"):
        lines.append(f"\n**{name}**\n")
        lines += [f"- `{code}`: {words}" for code, words in VOCABULARIES[name].items()]
    return "\n".join(lines)


def readme(provenance: dict[str, Any], shape: Shape, counts: dict[str, int]) -> str:
    """README.md of an export: the study documentation a researcher elsewhere needs."""
    filters = "\n".join(f"- {k}: {v}" for k, v in (provenance.get("filters") or {}).items()) or "- none"
    rows = "\n".join(f"- `{name}.csv`: {n} rows" for name, n in counts.items())
    project = provenance.get("project") or {}
    citation = CITATION.format(org=project.get("organisation", "Local Reach"), year=provenance["created"][:4],
                               name=provenance.get("package", "local-reach-export"), version=PACKAGE_VERSION,
                               project=project.get("name", "none (server export)"))
    stages = "\n".join(f"- `{k}`: {v}" for k, v in STAGE_DEFINITIONS.items())
    as_of = (f"Every attribute is stated as it was at the end of {provenance['filters'].get('until')}: stages from "
             "the stage history, contact outcomes and reach from contact revisions, community area, platform, "
             "access, police welcome, audience size and status from community revisions, feed activity from "
             "the latest activity sample. Nothing after that day appears. `locality_score` has no history and "
             "is left out; a community whose attributes were not yet tracked at the end date has `.u` (unknown)."
             if shape.as_of else "Attributes are as recorded at the export time.")
    return f"""# Local Reach research export

Package version {PACKAGE_VERSION}, created {provenance['created']} (UTC) by Local Reach
{provenance['application']['version']} (commit `{provenance['application']['commit']}`).
The codebook is `datapackage.json`: every column of every table has a type, its allowed
values with a label for each, a description and how it was derived; primary and foreign keys
are declared and each file's SHA-256 hash and size are listed. Validate it with
`frictionless validate datapackage.json`.

## Project and key
- Research project: {project.get('name', 'none (written on the server by an operator)')}
- Approved level: {provenance.get('level')}
- Pseudonym key id: `{provenance['key_id']}`

## Filters
{filters}
- dates given as: {"ISO weeks only (time offsets in whole weeks)" if shape.weeks else "days (UTC)"}
- reported views, replies and reactions: {"banded" if shape.banded else "exact"}

## Tables
{rows}

`events` (key `event_id`), `communities` (key `community`), `activity` (key `sample_id`) and
`panel` (key `community` + `month`); `community` in events, activity and panel refers to
`communities`.

## As of
{as_of}

## How communities enter the catalogue
Officers catalogue a community by hand (`provenance` = officer), or the discovery crawler
finds a public site that scores as local to the area and an officer accepts it (`crawl`).
Closed platforms (Facebook groups, Nextdoor, WhatsApp…) are only ever catalogued by hand.
Communities are places where people gather, never people: no person is a record.

## Stages and outcomes
The main path is identified → approached → acknowledged → two-way → partner; declined,
hostile and dormant are branches that can be entered from any stage. A forward move cites
the contact that evidences it (`evidence_event`).

{stages}

Value labels of every category:
{_labels()}

## Missing values
No cell is left blank. `{SUPPRESSED}` = suppressed (withheld to protect a small group),
`{NOT_APPLICABLE}` = not applicable (e.g. a channel on a meeting), `{UNKNOWN}` = unknown (not recorded,
or not known as of the end date). In pandas: `pd.read_csv(f, na_values=[".s", ".n", ".u"],
keep_default_na=False)`; in R: `read.csv(f, na.strings = c(".s", ".n", ".u"))`.

## Pseudonymisation
Officers (`O-…`), communities (`C-…`) and events (`E-…`) appear as keyed pseudonyms (HMAC-SHA256
of the record id). Each research project has its own key, so two projects' files cannot be
joined; the same project gets the same pseudonyms in each of its exports. Never exported:
names, e-mail addresses, web addresses, message text, links, free-text notes, descriptions,
house rules, tags, meeting titles and places. Audience sizes are banded.

## Suppression
One disclosure-control layer in the portal (one setting: a minimum cell of {min_cell()}) decides both
this package's small groups and every figure on the researcher pages. In this package: within
an area, a platform shared by fewer than {min_cell()} of the area's catalogued communities is
suppressed in every table, and so is an audience band shared by fewer than {min_cell()} communities of
that area and platform. The decision is taken over the whole catalogue, not the filtered rows,
so a date- or area-limited export cannot reveal what a full export hides. On the portal's
researcher pages (tables, charts, their CSVs), counts from 1 to {min_cell() - 1} are withheld and
shown as `[c]`, with further cells withheld until no withheld count can be worked out from a
row or column total, a chart total, a rate, the same page for another area, or (on the pages that
count contacts) for another channel or purpose; rates and means are withheld with the counts they
rest on; filters matching fewer than {min_cell()} communities show no figures, and researchers see
one whole calendar year at a time and no officer filter. Figures published
from this package must be checked the same way: treat it as sensitive pseudonymised data, do
not publish row-level extracts, and apply a minimum cell size of {min_cell()} with secondary
suppression (so no withheld cell can be worked out from totals) to anything you publish.

## Legal basis and ethics
Local Reach records the police's engagement with communities under the public task of
neighbourhood policing (UK GDPR Article 6(1)(e); Data Protection Act 2018). Research use of
this pseudonymised extract rests on the project's approval by the force (recorded in the portal
with its purpose and expiry) and on the researcher's own institutional ethics approval.
Re-identification of any community, officer or person is not permitted.

## Data-use terms
- Use only for the approved project's purpose, by its named members, until its expiry date;
  then delete the files.
- Keep the files in a secure environment; do not link them to other data that could identify
  a community, an officer or a person; do not attempt re-identification.
- Publish aggregates only, with at least {min_cell()} communities behind every number.

## Suggested citation
{citation}

Each export is recorded in the portal's audit log with who, when, the project, filters and row counts.
"""
