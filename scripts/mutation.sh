#!/usr/bin/env bash
# Mutation testing of the modules that guard safety, privacy and access (issue 25).
# Not part of CI: it reruns the covering tests once per mutant (tens of minutes on 2 cores).
# Configuration (which files, which tests) is [tool.mutmut] in pyproject.toml; results are
# cached in mutants/, so a second run only retries what changed. Usage: bash scripts/mutation.sh
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Mutant name patterns: whole modules, except services.py where only the sign-off rule
# (can_decide) is in scope, and the research pages' refusals (what a researcher is refused, and
# the year and contact-family rules they rest on), not the pages' counting around them; the platform
# family of the pages that count communities (family.py, filters.platform_family; the refusal of an area
# with a platform is disclosure.platform_area_reason, in disclosure.*) and the month-end year
# (last_published_day, offered_years, figures_to; research_today has no mutant).
# portal.research.disclosure replaced the suppression module.
PATTERNS=(
  "crawlers.addresses.*" "crawlers.fetch.*" "crawlers.robots*"
  "portal.access.*" "portal.redirects.*"
  "portal.research.disclosure.*" "portal.research.bounds.*" "portal.research.pseudonyms.*"
  "portal.guidance.deciders.*" "portal.guidance.services.x_can_decide__mutmut_*"
  "portal.research.responses.x_refusal__mutmut_*" "portal.research.responses.x_published__mutmut_*"
  "portal.research.responses.x_fixed_of__mutmut_*"
  "portal.research.engagement.x_contacts_refusal__mutmut_*" "portal.research.engagement.x_researchers_see__mutmut_*"
  "portal.research.filters.x_one_calendar_year__mutmut_*" "portal.research.filters.x_contact_family__mutmut_*"
  "portal.research.filters.x_read_slice__mutmut_*" "portal.research.filters.x_contact_slices__mutmut_*"
  "portal.research.family.*" "portal.research.filters.x_platform_family__mutmut_*"
  "portal.research.filters.x_last_published_day__mutmut_*" "portal.research.filters.x_offered_years__mutmut_*"
  "portal.research.filters.x_figures_to__mutmut_*"
)
mkdir -p mutants
$BIN/mutmut run --max-children "${MUTATION_WORKERS:-2}" "${PATTERNS[@]}" > mutants/run.log 2>&1 || { tail -40 mutants/run.log; exit 1; }
$BIN/python scripts/mutation_report.py "${PATTERNS[@]}"
# `mutmut show NAME` prints the diff of one survivor; `mutmut browse` lists them all.
