"""The entity tree as the UI shows it: expansion, visibility, and a flat list of visible rows.

Why a flat row list: the tree panel draws rows through imgui's list clipper, which needs random
access by row index. The list holds only rows under expanded nodes and is rebuilt only when the
tree's shape or the expansion changes, so per-frame cost depends on the rows on screen, not on
how many entities exist, are collapsed or are hidden.

Visibility: hiding a node hides its whole subtree ("children follow"). The set handed to the
scene builder (`effective_hidden`) is recomputed only when visibility or the tree changes, by
walking the hidden subtrees only.
"""
from __future__ import annotations

from dataclasses import dataclass

from annoview import paths as _paths
from annoview.store import EntityNode, EntityTree, Store

CONTEXT = "AnnotationContext:context"
AUTO_EXPAND_DEPTH = 4          # new nodes this shallow start expanded...
AUTO_EXPAND_MAX_CHILDREN = 64  # ...unless they have more children than this


@dataclass(frozen=True)
class Row:
    node: EntityNode
    depth: int


class EntityModel:
    """UI-side mirror of a store's entity tree (the store's own tree is mutated by loader threads)."""

    def __init__(self) -> None:
        self.tree = EntityTree()
        self.expanded: set[str] = {_paths.ROOT}
        self.hidden: set[str] = set()          # explicitly hidden nodes
        self.contexts: set[str] = set()        # entities holding an AnnotationContext
        self.generation = 0                    # bumped when visibility changes
        self.shape_generation = 0              # bumped when nodes are added
        self._store_gen = -1
        self._n_paths = 0
        self._rows: list[Row] | None = None
        self._seen: set[str] = set()
        self._effective: frozenset[str] | None = None

    # ---- sync with the store -------------------------------------------------------------
    def sync(self, store: Store) -> bool:
        """Pick up new entities; True when the tree changed."""
        if store.generation == self._store_gen:
            return False
        self._store_gen = store.generation
        paths = store.entity_paths()
        self.contexts = set(store.entities_with(CONTEXT))
        if len(paths) == self._n_paths:
            return False
        self._n_paths = len(paths)
        new = [p for p in paths if p not in self._seen]
        for p in new:
            self.tree.add(p).has_data = True
        for p in new:
            ancestors = _paths.ancestors_inclusive(p)
            for i, a in enumerate(ancestors):
                if a in self._seen:
                    continue
                self._seen.add(a)
                node = self.tree.node(a)
                depth = len(ancestors) - 1 - i  # not parts(a): a deep path would cost quadratic time
                if node is not None and depth < AUTO_EXPAND_DEPTH and len(node.children) <= AUTO_EXPAND_MAX_CHILDREN:
                    self.expanded.add(a)
        self._rows = None
        self._effective = None
        self.shape_generation += 1
        return True

    # ---- rows -----------------------------------------------------------------------------
    def rows(self) -> list[Row]:
        """Rows under expanded nodes, depth-first, children sorted by name (root excluded when
        it holds no data: its children are the top level then)."""
        if self._rows is None:
            rows: list[Row] = []
            root = self.tree.root
            stack = [(root, 0)] if root.has_data else [(c, 0) for c in reversed(_sorted(root))]
            while stack:
                node, depth = stack.pop()
                rows.append(Row(node, depth))
                if node.children and node.path in self.expanded:
                    stack.extend((c, depth + 1) for c in reversed(_sorted(node)))
            self._rows = rows
        return self._rows

    def set_expanded(self, path: str, expanded: bool) -> None:
        if expanded != (path in self.expanded):
            (self.expanded.add if expanded else self.expanded.discard)(path)
            self._rows = None

    def reveal(self, path: str) -> int | None:
        """Expand every ancestor of `path`; its row index (for scrolling to it), None if unknown."""
        if self.tree.node(path) is None:
            return None
        for a in _paths.ancestors_inclusive(path)[1:]:
            self.set_expanded(a, True)
        for i, row in enumerate(self.rows()):
            if row.node.path == path:
                return i
        return None

    # ---- visibility -----------------------------------------------------------------------
    def set_visible(self, path: str, visible: bool) -> None:
        if visible:
            changed = path in self.hidden
            self.hidden.discard(path)
        else:
            changed = path not in self.hidden
            self.hidden.add(path)
        if changed:
            self.generation += 1
            self._effective = None

    def hidden_by_ancestor(self, path: str) -> bool:
        """True when a strict ancestor is hidden (the row shows greyed out)."""
        if not self.hidden:
            return False
        return any(a in self.hidden for a in _paths.ancestors_inclusive(path)[1:])

    def is_visible(self, path: str) -> bool:
        return path not in self.hidden and not self.hidden_by_ancestor(path)

    def effective_hidden(self) -> frozenset[str]:
        """Every entity path in a hidden subtree (what the scene builder leaves out)."""
        if self._effective is None:
            out: set[str] = set()
            for p in self.hidden:
                node = self.tree.node(p)
                if node is None:
                    out.add(p)
                    continue
                stack = [node]
                while stack:
                    n = stack.pop()
                    out.add(n.path)
                    stack.extend(n.children.values())
            self._effective = frozenset(out)
        return self._effective

    def __len__(self) -> int:
        return len(self.tree)


def _sorted(node: EntityNode) -> list[EntityNode]:
    return [node.children[k] for k in sorted(node.children, key=_natural_key)]


def _natural_key(name: str) -> tuple:
    """`person/2` before `person/10`."""
    return (0, int(name), "") if name.isdigit() else (1, 0, name)
