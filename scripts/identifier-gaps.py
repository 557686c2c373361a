#!/usr/bin/env python3
"""Candidates for identifiers the spec leaves without an `mx-*` format.

Lists every string schema (property, parameter, list item) of the given
spec folders that has no `mx-*` format but whose name or description says
it is a user, room or event ID, a room alias, a server name or an `mxc://`
URI, as `file<TAB>JSON pointer<TAB>name<TAB>description`. A heuristic for
a spec bump: each candidate is then judged by hand, and fixed by an overlay
under spec/overlays/spec-gaps/ (README, "Identifiers") or left with a
reason. It reads the spec as published, so it lists the candidates the
overlays already fix too.

    scripts/identifier-gaps.py ../shared/matrix-spec/v1.19/data/api/client-server \
        ../shared/matrix-spec/v1.19/data/api/application-service/definitions

Needs PyYAML.
"""
import os
import re
import sys

import yaml

NAME = re.compile(
    r"(?i)^(room_?id|user_?id|userid|event_?id|room_?alias|alias|server_?name"
    r"|sender|recipient|avatar_?url|icon|og:image|mxc|content_uri|inviter|via"
    r"|.*_(room|user|event)_?ids?|.*_alias(es)?|.*_server_name|replacement_room"
    r"|additional_creators|changed|left)$"
)
DESCRIPTION = re.compile(
    r"(?i)(\bID of the (room|user|event)|\b(room|user|event) IDs?\b|matrix ID"
    r"|room alias|server name|mxc://|mxc uri|content uri|the (room|user|event) to)"
)


def escape(key):
    return str(key).replace("~", "~0").replace("/", "~1")


def is_candidate(schema, name):
    types = schema.get("type")
    if types != "string" and not (isinstance(types, list) and "string" in types):
        return False
    if str(schema.get("format", "")).startswith("mx-") or "enum" in schema:
        return False
    return bool(NAME.match(name or "") or DESCRIPTION.search(schema.get("description") or ""))


def walk(node, pointer, name, found):
    if isinstance(node, list):
        for index, item in enumerate(node):
            walk(item, f"{pointer}/{index}", name, found)
        return
    if not isinstance(node, dict):
        return
    # A parameter object: its schema is named by the parameter and
    # described by it.
    if "in" in node and "name" in node and isinstance(node.get("schema"), dict):
        schema = dict(node["schema"])
        schema.setdefault("description", node.get("description", ""))
        walk(schema, f"{pointer}/schema", node["name"], found)
        return
    if is_candidate(node, name):
        found.append((pointer, name or "", " ".join(str(node.get("description", "")).split())))
    for key, value in node.items():
        child = f"{pointer}/{escape(key)}"
        if key == "properties" and isinstance(value, dict):
            for prop, schema in value.items():
                walk(schema, f"{child}/{escape(prop)}", prop, found)
        elif key == "items" and isinstance(value, dict):
            # A list's items are described by the list.
            items = dict(value)
            if not items.get("description"):
                items["description"] = node.get("description", "")
            walk(items, child, name, found)
        elif key not in ("example", "examples"):
            walk(value, child, None, found)


def main(folders):
    if not folders:
        sys.exit(__doc__)
    for folder in folders:
        for directory, _, files in sorted(os.walk(folder)):
            for file in sorted(files):
                if not file.endswith(".yaml"):
                    continue
                path = os.path.join(directory, file)
                with open(path, encoding="utf-8") as handle:
                    document = yaml.safe_load(handle)
                found = []
                walk(document, "", None, found)
                for pointer, name, description in found:
                    print(f"{path}\t{pointer}\t{name}\t{description[:160]}")


if __name__ == "__main__":
    main(sys.argv[1:])
