"""Finding 9 of issue 22: the package documents itself well enough to be used without asking anyone."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.portal.research_support import TABLES, export, rows, validate

CODES = {".s", ".n", ".u"}


@pytest.mark.parametrize(("args", "filters"), [
    ((), {}), (("--until", "2025-06-30"), {"until": "2025-06-30"}),
    (("--coarsen-weeks", "--since", "2025-01-01"), {"since": "2025-01-01", "coarsen_weeks": True})],
    ids=["full", "until", "weeks"])
def test_keys_labels_missing_codes_and_provenance_are_declared_and_validate(runner, demo, tmp_path, args, filters):
    out = export(runner, tmp_path / "pkg", *args)
    validate(out / "datapackage.json")
    package = json.loads((out / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == set(TABLES)
    for name, resource in resources.items():
        schema = resource["schema"]
        assert schema["primaryKey"], name
        assert {m["value"] for m in schema["missingValues"]} == CODES
        assert all(m["label"] for m in schema["missingValues"])
        assert resource["hash"].startswith("sha256:")
        assert resource["bytes"] > 0
        for field in schema["fields"]:
            if "enum" in field.get("constraints", {}):
                labelled = {c["value"]: c["label"] for c in field["categories"]}
                assert set(labelled) == set(field["constraints"]["enum"]), field["name"]
                assert all(labelled.values()), field["name"]
    for name in ("events", "activity", "panel"):
        assert resources[name]["schema"]["foreignKeys"] == [
            {"fields": ["community"], "reference": {"resource": "communities", "fields": ["community"]}}]
    provenance = package["provenance"]
    assert provenance["application"]["version"]
    assert provenance["application"]["commit"]
    assert provenance["key_id"].startswith("K-")
    assert provenance["created"].endswith("Z")
    assert provenance["filters"] == filters
    for table in TABLES:
        assert all(value != "" for row in rows(out, table) for value in row.values()), f"a blank cell in {table}"
    readme = (out / "README.md").read_text()
    for section in ("How communities enter the catalogue", "Stages and outcomes", "Missing values",
                    "Legal basis and ethics", "Data-use terms", "Suggested citation", "Pseudonym key id",
                    provenance["key_id"], provenance["application"]["commit"]):
        assert section in readme, section
    for code in ("two_way", "no_response", "reassure"):
        assert f"`{code}`:" in readme


def test_the_declared_keys_and_hashes_catch_a_tampered_package(runner, demo, tmp_path):
    from frictionless import validate as frictionless_validate

    out = export(runner, tmp_path / "pkg")
    orphaned = tmp_path / "orphaned"
    shutil.copytree(out, orphaned)
    lines = (orphaned / "communities.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (orphaned / "communities.csv").write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    package = json.loads((orphaned / "datapackage.json").read_text())
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (orphaned / "datapackage.json").write_text(json.dumps(package))
    report = frictionless_validate(str(orphaned / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e.type for task in report.tasks for e in task.errors}
