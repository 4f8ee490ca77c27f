"""The entity tree, derived from entity paths."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import paths


@dataclass
class EntityNode:
    """One node; `has_data` is False for path parts that only exist as ancestors."""

    path: str
    name: str
    children: dict[str, "EntityNode"] = field(default_factory=dict)
    has_data: bool = False

    def walk(self) -> "list[EntityNode]":
        out = [self]
        for name in sorted(self.children):
            out.extend(self.children[name].walk())
        return out


class EntityTree:
    def __init__(self) -> None:
        self.root = EntityNode(paths.ROOT, "/")
        self._nodes: dict[str, EntityNode] = {paths.ROOT: self.root}

    def add(self, path: str) -> EntityNode:
        node = self._nodes.get(path)
        if node is None:
            parent_path = paths.parent(path)
            assert parent_path is not None
            parent = self.add(parent_path)
            name = paths.parts(path)[-1]
            node = parent.children[name] = self._nodes[path] = EntityNode(path, name)
        return node

    def node(self, path: str) -> EntityNode | None:
        return self._nodes.get(path)

    def __len__(self) -> int:
        return len(self._nodes)
