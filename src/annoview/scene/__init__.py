"""The scene layer: store + time -> plain-numpy visuals for the renderer. Imports no GL.

- `visuals`: the contract the renderer draws (dataclasses of numpy arrays).
- `builder`: `SceneBuilder.build(timeline, t)` -> `Scene` (query, contexts, caching, placement).
- `visualizers/`: one module per archetype, `build(input) -> Part`, registered by name.
- `placement`: where each entity's visuals go (transforms, pinhole spaces, view origin).
- `batch`: many small entities -> few draws.
- `legend`: the user's class edits (hide, recolor, solo, highlight) and the palettes they give.

docs/architecture.md describes the data flow and how to add a visualizer.
"""
from .builder import AUTO_PALETTE_KEY, CONTEXT, SceneBuilder
from .legend import ClassEdits, edited_palette, keypoint_entries
from .model import EntityOptions, Part, Scene, SceneObject, ViewOptions

__all__ = ["AUTO_PALETTE_KEY", "CONTEXT", "ClassEdits", "EntityOptions", "Part", "Scene", "SceneBuilder",
           "SceneObject", "ViewOptions", "edited_palette", "keypoint_entries"]
