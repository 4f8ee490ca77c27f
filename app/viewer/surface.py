"""Where the UI lives: a glfw window (OpenGL 3.3 core), or an offscreen surface.

The App only needs sizes, a GL context, event pumping and buffer swaps, so the same App runs in
a window (normal use, tests under Xvfb) or headless on an EGL context (`--screenshot-to` on a
machine without a display, like `rerun --headless`). glfw is imported inside functions so that
`annoview info` never loads it.

HiDPI: glfw reports three things that differ across platforms and the UI needs all of them:
window size (the coordinates of mouse events), framebuffer size (pixels), and the monitor's
content scale (how big text should be). macOS: window 1000x700, framebuffer 2000x1400, scale 2.
Windows/Linux with SCALE_TO_MONITOR: window 1500x1050 = framebuffer, scale 1.5.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, Protocol


class InputSink(Protocol):
    """What a surface reports events to (the App)."""

    def handle_mouse_move(self, x: float, y: float) -> None: ...
    def handle_mouse_button(self, button: int, down: bool) -> None: ...
    def handle_scroll(self, dx: float, dy: float) -> None: ...
    def handle_key(self, key: int, down: bool, mods: int = 0) -> None: ...
    def handle_char(self, codepoint: int) -> None: ...
    def handle_drop(self, paths: list[str]) -> None: ...
    def handle_focus(self, focused: bool) -> None: ...
    def handle_refresh(self) -> None: ...


class Surface(Protocol):
    ctx: Any

    def window_size(self) -> tuple[int, int]: ...
    def framebuffer_size(self) -> tuple[int, int]: ...
    def content_scale(self) -> float: ...
    def wait(self, timeout: float) -> None: ...
    def swap(self) -> None: ...
    def should_close(self) -> bool: ...
    def request_close(self) -> None: ...
    def set_title(self, title: str) -> None: ...
    def wake(self) -> None: ...
    def release(self) -> None: ...


def has_display() -> bool:
    """True when a window can be opened (X11/Wayland display, or a desktop OS)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class GlfwSurface:
    """A glfw window with an OpenGL 3.3 core context; events go to an InputSink."""

    headless = False

    _glfw_users = 0

    def __init__(self, size: tuple[int, int], title: str = "annoview", *, visible: bool = True,
                 vsync: bool = True) -> None:
        import glfw
        import moderngl

        self._glfw = glfw
        if GlfwSurface._glfw_users == 0 and not glfw.init():
            raise RuntimeError("glfw could not initialise (no display? run under xvfb-run)")
        GlfwSurface._glfw_users += 1
        self.window, self.api = _create_window(glfw, size, title, visible)
        if not self.window:
            self._drop_glfw()
            raise RuntimeError("could not create an OpenGL 3.3 core window")
        glfw.make_context_current(self.window)
        glfw.swap_interval(1 if vsync else 0)
        self.ctx = _moderngl_context(moderngl, self.api)
        self._sink: InputSink | None = None
        self._callbacks: list[Callable[..., None]] = []   # keep references alive

    # ---- events -----------------------------------------------------------------------------
    def attach(self, sink: InputSink) -> None:
        """Route window events to `sink` (mouse in window coordinates)."""
        glfw, w = self._glfw, self.window
        self._sink = sink

        def on_pos(_w: Any, x: float, y: float) -> None:
            sink.handle_mouse_move(x, y)

        def on_button(_w: Any, button: int, action: int, mods: int) -> None:
            sink.handle_mouse_button(button, action == glfw.PRESS)

        def on_scroll(_w: Any, dx: float, dy: float) -> None:
            sink.handle_scroll(dx, dy)

        def on_key(_w: Any, key: int, scancode: int, action: int, mods: int) -> None:
            sink.handle_key(key, action != glfw.RELEASE, mods)

        def on_char(_w: Any, cp: int) -> None:
            sink.handle_char(cp)

        def on_drop(_w: Any, paths: list[str]) -> None:
            sink.handle_drop([os.fsdecode(p) for p in paths])

        def on_focus(_w: Any, focused: int) -> None:
            sink.handle_focus(bool(focused))

        def on_leave(_w: Any, entered: int) -> None:
            if not entered:
                sink.handle_mouse_move(-1e9, -1e9)

        def on_refresh(_w: Any) -> None:
            # macOS/Windows block the event loop during a live resize; redraw from here
            sink.handle_refresh()

        self._callbacks = [on_pos, on_button, on_scroll, on_key, on_char, on_drop, on_focus, on_leave, on_refresh]
        glfw.set_cursor_pos_callback(w, on_pos)
        glfw.set_mouse_button_callback(w, on_button)
        glfw.set_scroll_callback(w, on_scroll)
        glfw.set_key_callback(w, on_key)
        glfw.set_char_callback(w, on_char)
        glfw.set_drop_callback(w, on_drop)
        glfw.set_window_focus_callback(w, on_focus)
        glfw.set_cursor_enter_callback(w, on_leave)
        glfw.set_window_refresh_callback(w, on_refresh)

    # ---- queries ----------------------------------------------------------------------------
    def window_size(self) -> tuple[int, int]:
        return tuple(self._glfw.get_window_size(self.window))  # type: ignore[return-value]

    def framebuffer_size(self) -> tuple[int, int]:
        return tuple(self._glfw.get_framebuffer_size(self.window))  # type: ignore[return-value]

    def content_scale(self) -> float:
        sx, sy = self._glfw.get_window_content_scale(self.window)
        return max(1.0, float(max(sx, sy)))

    def window_pos(self) -> tuple[int, int] | None:
        """Top-left corner on the desktop (None where the platform has no such thing)."""
        try:
            x, y = self._glfw.get_window_pos(self.window)
        except Exception:  # noqa: BLE001 - Wayland: "position not supported"
            return None
        return (int(x), int(y))

    def set_window_pos(self, pos: tuple[int, int]) -> None:
        """Move the window to a remembered position, if its title bar would land on a monitor
        (a position saved on a screen that is gone must not put the window out of reach)."""
        glfw = self._glfw
        x, y = int(pos[0]), int(pos[1])
        try:
            for mon in glfw.get_monitors() or []:
                mx, my, mw, mh = glfw.get_monitor_workarea(mon)
                if mx <= x + 40 < mx + mw and my <= y + 10 < my + mh:
                    glfw.set_window_pos(self.window, x, y)
                    return
        except Exception:  # noqa: BLE001 - a platform without window positions
            return

    # ---- loop -------------------------------------------------------------------------------
    def make_current(self) -> None:
        """Several windows (tests) each own a GL context; draw into this one."""
        self._glfw.make_context_current(self.window)

    def wait(self, timeout: float) -> None:
        """Process pending events, sleeping up to `timeout` s for one (0 = just poll)."""
        if timeout <= 0:
            self._glfw.poll_events()
        else:
            self._glfw.wait_events_timeout(timeout)

    def wake(self) -> None:
        """Wake `wait` from another thread (a loader finished a chunk, a stream sent data)."""
        if self.window is not None:
            self._glfw.post_empty_event()

    def swap(self) -> None:
        self._glfw.swap_buffers(self.window)

    def should_close(self) -> bool:
        return bool(self._glfw.window_should_close(self.window))

    def request_close(self) -> None:
        self._glfw.set_window_should_close(self.window, True)

    def set_title(self, title: str) -> None:
        self._glfw.set_window_title(self.window, title)

    def release(self) -> None:
        if self.window is None:
            return
        self.ctx.release()
        self._glfw.destroy_window(self.window)
        self.window = None
        self._drop_glfw()

    def _drop_glfw(self) -> None:
        GlfwSurface._glfw_users -= 1
        if GlfwSurface._glfw_users == 0:
            self._glfw.terminate()


def _create_window(glfw: Any, size: tuple[int, int], title: str, visible: bool) -> tuple[Any, str]:
    """An OpenGL 3.3 core window; on Linux through EGL first, then GLX.

    Why EGL first: annoview renders headless through EGL (tests, `annoview screenshot`), and
    Mesa refuses a GLX context in a process that already made an EGL one current (an X
    BadAccess error that ends the process). With the window on EGL too, both coexist.
    ANNOVIEW_GL_API=glx|egl forces one.
    """
    import warnings

    order = ["native"]
    if sys.platform.startswith("linux"):
        forced = os.environ.get("ANNOVIEW_GL_API", "").lower()
        order = {"glx": ["native"], "egl": ["egl"]}.get(forced, ["egl", "native"])
    for api in order:
        glfw.default_window_hints()
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        glfw.window_hint(glfw.VISIBLE, bool(visible))
        glfw.window_hint(glfw.SCALE_TO_MONITOR, True)
        glfw.window_hint(glfw.SRGB_CAPABLE, False)
        glfw.window_hint(glfw.SAMPLES, 0)
        if api == "egl":
            glfw.window_hint(glfw.CONTEXT_CREATION_API, glfw.EGL_CONTEXT_API)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # a failed EGL attempt is not the user's problem
            window = glfw.create_window(int(size[0]), int(size[1]), title, None, None)
        if window:
            return window, api
    return None, "none"


class _ProcLoader:
    """moderngl loader for the window's current context, through the API that made it (moderngl's
    default loader tries EGL first whatever the window uses)."""

    def __init__(self, api: str) -> None:
        import ctypes
        from ctypes.util import find_library

        if api == "egl":
            lib = ctypes.CDLL(find_library("EGL"))
            proc = ctypes.cast(lib.eglGetProcAddress, ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p))
        else:
            lib = ctypes.CDLL(find_library("GL"))
            proc = ctypes.cast(lib.glXGetProcAddress, ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p))

        def load(name: str) -> int:
            return proc(name.encode()) or ctypes.cast(getattr(lib, name, 0), ctypes.c_void_p).value or 0

        self.load_opengl_function = load

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args: object) -> None:
        pass

    def release(self) -> None:
        pass


def _moderngl_context(moderngl: Any, api: str) -> Any:
    """A moderngl Context for the current window context."""
    if not sys.platform.startswith("linux"):
        return moderngl.create_context(require=330)
    moderngl.init_context(_ProcLoader(api))
    ctx = moderngl.get_context()
    if ctx.version_code < 330:
        raise RuntimeError(f"OpenGL 3.3 needed, the window has {ctx.version_code}")
    return ctx


class HeadlessSurface:
    """No window: an EGL context and a fixed size; for screenshots without a display."""

    headless = True

    def __init__(self, size: tuple[int, int], scale: float = 1.0) -> None:
        from annoview.render import create_headless_context

        self.ctx = create_headless_context()
        self._size = (int(size[0]), int(size[1]))
        self._scale = float(scale)
        self._close = False

    def attach(self, sink: InputSink) -> None:
        pass

    def window_size(self) -> tuple[int, int]:
        return self._size

    def framebuffer_size(self) -> tuple[int, int]:
        return (int(self._size[0] * self._scale), int(self._size[1] * self._scale))

    def content_scale(self) -> float:
        return self._scale

    def wait(self, timeout: float) -> None:
        pass

    def make_current(self) -> None:
        pass

    def wake(self) -> None:
        pass

    def swap(self) -> None:
        pass

    def should_close(self) -> bool:
        return self._close

    def request_close(self) -> None:
        self._close = True

    def set_title(self, title: str) -> None:
        pass

    def release(self) -> None:
        self.ctx.release()
