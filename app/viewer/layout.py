"""The default dock layout: entity tree left, views center, legend and inspector right, time
panel along the bottom. Built with imgui's DockBuilder once (and again on View > Reset layout);
afterwards the user can drag panels anywhere."""
from __future__ import annotations

from typing import Any

from .panels import entities, inspector, legend, problems, timeline

VIEW_2D = "2D###view2d"
VIEW_3D = "3D###view3d"
DOCKSPACE = "annoview-dockspace"


PanelSizes = dict[str, float]   # "left", "right", "bottom" (points), "right_top" (fraction)


def build_default_layout(imgui: Any, dockspace_id: int, size: tuple[float, float], *, has_2d: bool = True,
                         has_3d: bool = True, sizes: PanelSizes | None = None) -> None:
    """Split the dockspace; views side by side when there is both 2D and 3D content, else tabs
    with the one holding content in front. `sizes`: the panel sizes to use (remembered from the
    last run) instead of the defaults."""
    internal = imgui.internal
    internal.dock_builder_remove_node(dockspace_id)
    internal.dock_builder_add_node(dockspace_id, internal.DockNodeFlagsPrivate_.dock_space)
    internal.dock_builder_set_node_size(dockspace_id, imgui.ImVec2(*size))
    w, h = max(size[0], 1.0), max(size[1], 1.0)
    sz = sizes or {}
    left_w, right_w = sz.get("left", 270.0), sz.get("right", 330.0)
    bottom_ratio = min(0.6, sz.get("bottom", 96.0) / h) if sizes else min(0.3, 96.0 / h)
    right_top = min(max(sz.get("right_top", 0.55), 0.1), 0.9)

    def split(node: int, direction: Any, ratio: float) -> tuple[int, int]:
        r = internal.dock_builder_split_node(node, direction, ratio)
        return r.id_at_dir, r.id_at_opposite_dir

    bottom, rest = split(dockspace_id, imgui.Dir.down, bottom_ratio)
    cap_left, cap_right = (0.45, 0.6) if sizes else (0.3, 0.4)   # the defaults leave the views room
    left, rest = split(rest, imgui.Dir.left, min(cap_left, left_w / w))
    right, center = split(rest, imgui.Dir.right, min(cap_right, right_w / max(w - left_w, 1.0)))
    right_top, right_bottom = split(right, imgui.Dir.up, right_top)
    internal.dock_builder_dock_window(entities.WINDOW, left)
    internal.dock_builder_dock_window(legend.WINDOW, right_top)
    internal.dock_builder_dock_window(inspector.WINDOW, right_bottom)
    internal.dock_builder_dock_window(timeline.WINDOW, bottom)
    internal.dock_builder_dock_window(problems.WINDOW, bottom)
    if has_2d and has_3d:
        c_left, c_right = split(center, imgui.Dir.left, 0.5)
        internal.dock_builder_dock_window(VIEW_2D, c_left)
        internal.dock_builder_dock_window(VIEW_3D, c_right)
    else:
        first, second = (VIEW_3D, VIEW_2D) if has_3d and not has_2d else (VIEW_2D, VIEW_3D)
        internal.dock_builder_dock_window(second, center)
        internal.dock_builder_dock_window(first, center)
    internal.dock_builder_finish(dockspace_id)
