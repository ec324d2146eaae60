"""Which callbacks re-render a page when the filters change, and the request the browser sends for each.

Read from the app's own callback map (`GET /_dash-dependencies`, what the browser reads too): a
page's callbacks are the server-side ones with the filters store among their inputs whose outputs
all sit in that page's layout (or in the shell's: those fire on every page). Values of the other
inputs and states (cross-filter stores, drill state, toggles) are taken from the rendered layouts,
as the browser holds them right after loading the page.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from dashboard.components.state import FILTERS_STORE

UPDATE_PATH = "/_dash-update-component"
DEPENDENCIES_PATH = "/_dash-dependencies"


@dataclass(frozen=True)
class PageCallback:
    output: str  # the callback map key, e.g. "..{"chart":"x","type":"chart-graph"}.figure...a.b.."
    outputs: tuple[dict, ...]  # [{"id", "property"}] with dict ids parsed, as the browser sends them
    inputs: tuple[dict, ...]
    state: tuple[dict, ...]
    multi: bool
    shell: bool = False  # outputs in the shell layout: fires on every page

    @property
    def label(self) -> str:
        """A short name: the chart id of the first output (pattern ids) or its component id."""
        first = self.outputs[0]["id"]
        name = (first.get("chart") or first.get("table") or id_key(first)) if isinstance(first, dict) else first
        return f"shell:{name}" if self.shell else str(name)

    def payload(self, values: Mapping[str, Any]) -> dict:
        """The body of POST /_dash-update-component, `values` keyed by "<id>.<property>"."""
        def with_value(dep):
            return {**dep, "value": values.get(dep_key(dep))}

        return {
            "output": self.output,
            "outputs": list(self.outputs) if self.multi else self.outputs[0],
            "inputs": [with_value(d) for d in self.inputs],
            "changedPropIds": [f"{FILTERS_STORE}.data"],
            "state": [with_value(d) for d in self.state],
        }


def parse_id(raw: str | dict) -> str | dict:
    return json.loads(raw) if isinstance(raw, str) and raw.startswith("{") else raw


def id_key(id_: str | dict) -> str:
    """Dash's string form of an id (dict ids: JSON with sorted keys, no spaces)."""
    if isinstance(id_, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(id_[k])}" for k in sorted(id_)) + "}"
    return id_


def dep_key(dep: Mapping) -> str:
    return f"{id_key(dep['id'])}.{dep['property']}"


def split_output(output: str) -> tuple[list[dict], bool]:
    """"a.b" -> ([{"id": "a", "property": "b"}], False); "..a.b...c.d.." -> (both, True)."""
    multi = output.startswith("..")
    parts = output[2:-2].split("...") if multi else [output]
    outs = []
    for part in parts:
        id_, prop = part.rsplit(".", 1)
        outs.append({"id": parse_id(id_), "property": prop})
    return outs, multi


def _dep(d: Mapping) -> dict:
    return {"id": parse_id(d["id"]), "property": d["property"]}


def layout_values(*layouts) -> tuple[set[str], dict[str, Any]]:
    """(every component id, {"<id>.<prop>": value} for every prop set) over the layouts' trees."""
    ids: set[str] = set()
    values: dict[str, Any] = {}
    for layout in layouts:
        for comp in _walk(layout):
            comp_id = getattr(comp, "id", None)
            if comp_id is None:
                continue
            key = id_key(comp_id)
            ids.add(key)
            for prop in getattr(comp, "_prop_names", ()):
                value = getattr(comp, prop, None)
                if value is not None and prop != "children":
                    values[f"{key}.{prop}"] = value
    return ids, values


def _walk(node) -> Iterable:
    if node is None or isinstance(node, (str, int, float)):
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
        return
    yield node
    yield from _walk(getattr(node, "children", None))
    for prop in getattr(node, "_children_props", ()) or ():  # components held in other props
        if prop != "children" and "." not in prop and "[]" not in prop:
            yield from _walk(getattr(node, prop, None))


@dataclass
class PageCallbacks:
    callbacks: list[PageCallback] = field(default_factory=list)
    clientside: int = 0  # clientside callbacks on the store (run in the browser: not measured here)


def filter_callbacks(dependencies: list[Mapping], page_ids: set[str], shell_ids: set[str]) -> PageCallbacks:
    """The callbacks a filter change fires on a page whose layout holds `page_ids`."""
    found = PageCallbacks()
    store = f"{FILTERS_STORE}.data"
    for dep in dependencies:
        inputs = [_dep(d) for d in dep.get("inputs", [])]
        if store not in {dep_key(d) for d in inputs}:
            continue
        outputs, multi = split_output(dep["output"])
        out_ids = {id_key(o["id"]) for o in outputs}
        on_page, on_shell = out_ids <= page_ids, out_ids <= shell_ids
        if not (on_page or on_shell):
            continue
        if dep.get("clientside_function"):
            found.clientside += 1
            continue
        found.callbacks.append(PageCallback(dep["output"], tuple(outputs), tuple(inputs),
                                            tuple(_dep(d) for d in dep.get("state", [])), multi, shell=not on_page))
    return found
