"""Reading an OCF export back and checking it against the official OCF 1.2.0 JSON schemas."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from tests.captable.test_ocf import official_schemas


def ocf_documents(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def schema_errors(documents: dict[str, Any]) -> list[str]:
    """Every document's first error against the official schemas (empty: all valid)."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    store = {}
    for path in official_schemas().rglob("*.schema.json"):
        schema = json.loads(path.read_text())
        store[schema["$id"]] = schema
    registry = Registry().with_resources((k, Resource.from_contents(v)) for k, v in store.items())
    by_type = {
        s["properties"]["file_type"]["const"]: s
        for i, s in store.items()
        if "/files/" in i and s.get("properties", {}).get("file_type", {}).get("const")
    }
    errors = []
    for name, document in documents.items():
        validator = Draft7Validator(by_type[document["file_type"]], registry=registry)
        errors += [f"{name}: {e.message}" for e in validator.iter_errors(document)][:1]
    return errors


def transactions(documents: dict[str, Any], object_type: str) -> list[dict[str, Any]]:
    items = documents["Transactions.ocf.json"]["items"]
    return [t for t in items if t["object_type"] == object_type]
