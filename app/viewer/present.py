"""Putting the UI on screen, and capturing it (screenshots, tests).

The window's default framebuffer is cleared with the panel color (docked panels draw no
background of their own, see theme.PANEL_RGB) and the imgui draw data is drawn over it. A
capture draws the same draw data once more into an offscreen RGBA8 framebuffer of the
framebuffer size and reads it back, so it does not depend on the window being visible or on
screen (a hidden window, or no window at all with the headless surface).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import theme


class Presenter:
    def __init__(self, ctx: Any, gui: Any, surface: Any) -> None:
        self.ctx = ctx
        self.gui = gui
        self.surface = surface
        self._capture_fbo: Any = None

    def present(self, draw_data: Any, fb: tuple[int, int], capture: bool) -> np.ndarray | None:
        """Draw the UI (and swap); with `capture`, also return it as (H, W, 3) uint8, top row first."""
        ctx = self.ctx
        bg = list(theme.PANEL_RGB)
        headless = getattr(self.surface, "headless", False)
        image = None
        if capture or headless:
            fbo = self._capture_target(fb)
            fbo.use()
            ctx.viewport = (0, 0, fb[0], fb[1])
            fbo.clear(*bg, 1.0)
            self.gui.render(draw_data, fbo)
            raw = fbo.read(components=3, alignment=1)
            image = np.frombuffer(raw, np.uint8).reshape(fb[1], fb[0], 3)[::-1].copy()
        if not headless:
            screen = ctx.screen
            screen.use()
            ctx.viewport = (0, 0, fb[0], fb[1])
            ctx.clear(*bg, 1.0, viewport=(0, 0, fb[0], fb[1]))
            self.gui.render(draw_data, screen)
            self.surface.swap()
        return image

    def _capture_target(self, fb: tuple[int, int]) -> Any:
        if self._capture_fbo is None or self._capture_fbo.size != tuple(fb):
            self._release_capture()
            self._capture_fbo = self.ctx.framebuffer(color_attachments=[self.ctx.texture(fb, 4)])
        return self._capture_fbo

    def _release_capture(self) -> None:
        if self._capture_fbo is not None:
            # Never release a bound framebuffer: moderngl rebinds the previous binding when it
            # creates the next one, and binding a deleted name is GL_INVALID_OPERATION.
            home = self.ctx.detect_framebuffer(0) if getattr(self.surface, "headless", False) else self.ctx.screen
            home.use()
            for a in self._capture_fbo.color_attachments:
                a.release()
            self._capture_fbo.release()
            self._capture_fbo = None

    def release(self) -> None:
        self._release_capture()
