"""GPU renderer (moderngl): palette textures, one renderer per primitive, picking, offscreen.

Input is plain numpy data: the visuals contract of the GL-free scene package
(`annoview.scene.visuals`); nothing here imports the store or the SDK.
"""
from .cache import GeometryCache
from .camera import Camera2D, Camera3D
from .context import create_headless_context, read_fbo_rgba, read_texture_rgba
from .frame import FrameStats
from .offscreen import render_to_array, render_to_png, scene_bounds
from .palette import PaletteTexture
from .renderer import FrameResult, Renderer
from .scene_renderer import SceneRenderer, fit_2d, fit_3d
from .shaders import ShaderLibrary, load_shader_source
from .target import FrameTarget, PickResult
from ..scene.visuals import (BoxesVisual, ImageVisual, LabelsVisual, LinesVisual, PointsVisual,
                      SegmentationVisual, Visual, box_labels, point_labels)

__all__ = [
    "BoxesVisual", "Camera2D", "Camera3D", "FrameResult", "FrameStats", "FrameTarget",
    "GeometryCache", "ImageVisual", "LabelsVisual", "LinesVisual", "PaletteTexture", "PickResult",
    "PointsVisual", "Renderer", "SceneRenderer", "SegmentationVisual", "ShaderLibrary", "Visual", "box_labels",
    "create_headless_context", "load_shader_source", "point_labels", "read_fbo_rgba",
    "fit_2d", "fit_3d", "read_texture_rgba", "render_to_array", "render_to_png", "scene_bounds",
]
