"""Slot discovery for the Python carrier, with libcst's scope analysis: only a carrier being
built imports it (and libcst); one loaded from the carrier store renders and reads without."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.metadata as md

from headstart.carriers._python_scope import LiteralNode, ScopeAnalysis, SlotInfo, Variable


@dataclass
class Sentinels:
    code: str
    literal_text: dict[int, str]
    comment_names: list[tuple[tuple[int, int], dict[str, int]]]


def find_slots(module: cst.Module, nonce: str, excluded: set[str]) -> tuple[list[SlotInfo], Sentinels]:
    wrapper = md.MetadataWrapper(module)
    analysis = ScopeAnalysis(wrapper)
    name_infos = analysis.name_slots(excluded)
    literal_infos = [item for item in analysis.literal_slots() if item[0].key not in excluded]
    items: list[tuple[SlotInfo, Variable | LiteralNode]] = sorted(
        [*name_infos, *literal_infos], key=lambda it: it[0].first
    )
    infos = [info for info, _ in items]
    node_to_slot: dict[int, int] = {}
    literal_text: dict[int, str] = {}
    var_slot: dict[int, int] = {}
    for slot, (_info, payload) in enumerate(items):
        if isinstance(payload, Variable):  # info.kind == "name"
            var_slot[id(payload)] = slot
            for node in payload.nodes:
                node_to_slot[id(node)] = slot
        else:
            node_to_slot[id(payload)] = slot
            literal_text[slot] = payload.value
    code = wrapper.module.visit(_SentinelTransformer(node_to_slot, nonce)).code
    comment_names = analysis.comment_scopes(items, var_slot)
    return infos, Sentinels(code, literal_text, comment_names)


class _SentinelTransformer(cst.CSTTransformer):
    """Spells every slot occurrence as ``__hs<nonce>_<slot>__`` so the template can be cut."""

    def __init__(self, node_to_slot: dict[int, int], nonce: str) -> None:
        super().__init__()
        self.node_to_slot = node_to_slot
        self.nonce = nonce

    def _mark(self, original: cst.CSTNode, updated: cst.BaseExpression) -> cst.BaseExpression:
        slot = self.node_to_slot.get(id(original))
        if slot is None:
            return updated
        return cst.Name(f"__hs{self.nonce}_{slot}__")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        slot = self.node_to_slot.get(id(original_node))
        return updated_node if slot is None else updated_node.with_changes(value=f"__hs{self.nonce}_{slot}__")

    def leave_Integer(self, original_node: cst.Integer, updated_node: cst.Integer) -> cst.BaseExpression:
        return self._mark(original_node, updated_node)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        return self._mark(original_node, updated_node)
