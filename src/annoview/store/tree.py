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
        """This node and every descendant, depth first, children sorted by name. Iterative: a
        recording may hold paths thousands of levels deep."""
        out: list[EntityNode] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(node.children[name] for name in sorted(node.children, reverse=True))
        return out


class EntityTree:
    def __init__(self) -> None:
        self.root = EntityNode(paths.ROOT, "/")
        self._nodes: dict[str, EntityNode] = {paths.ROOT: self.root}

    def add(self, path: str) -> EntityNode:
        """The node of a canonical path, created with its missing ancestors (iteratively: a
        path may be thousands of levels deep)."""
        node = self._nodes.get(path)
        if node is not None:
            return node
        names = paths.parts(path)  # split once: deep paths cost linear work, not quadratic
        missing = []
        for depth, p in zip(range(len(names), -1, -1), paths.ancestors_inclusive(path)):
            node = self._nodes.get(p)
            if node is not None:
                break
            missing.append((p, names[depth - 1]))
        assert node is not None  # the root is always there
        for p, name in reversed(missing):
            child = node.children[name] = self._nodes[p] = EntityNode(p, name)
            node = child
        return node

    def node(self, path: str) -> EntityNode | None:
        return self._nodes.get(path)

    def __len__(self) -> int:
        return len(self._nodes)
