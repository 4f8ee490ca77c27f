"""glfw key codes -> imgui keys (the App feeds imgui itself; no imgui platform backend)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def key_map() -> dict[int, Any]:
    import glfw
    from imgui_bundle import imgui

    K = imgui.Key
    m: dict[int, Any] = {
        glfw.KEY_TAB: K.tab, glfw.KEY_BACKSPACE: K.backspace, glfw.KEY_ENTER: K.enter, glfw.KEY_ESCAPE: K.escape,
        glfw.KEY_INSERT: K.insert, glfw.KEY_DELETE: K.delete, glfw.KEY_SPACE: K.space,
        glfw.KEY_LEFT: K.left_arrow, glfw.KEY_RIGHT: K.right_arrow, glfw.KEY_UP: K.up_arrow,
        glfw.KEY_DOWN: K.down_arrow, glfw.KEY_PAGE_UP: K.page_up, glfw.KEY_PAGE_DOWN: K.page_down,
        glfw.KEY_HOME: K.home, glfw.KEY_END: K.end, glfw.KEY_KP_ENTER: K.keypad_enter,
        glfw.KEY_LEFT_CONTROL: K.left_ctrl, glfw.KEY_RIGHT_CONTROL: K.right_ctrl,
        glfw.KEY_LEFT_SHIFT: K.left_shift, glfw.KEY_RIGHT_SHIFT: K.right_shift,
        glfw.KEY_LEFT_ALT: K.left_alt, glfw.KEY_RIGHT_ALT: K.right_alt,
        glfw.KEY_LEFT_SUPER: K.left_super, glfw.KEY_RIGHT_SUPER: K.right_super,
        glfw.KEY_MINUS: K.minus, glfw.KEY_EQUAL: K.equal, glfw.KEY_PERIOD: K.period, glfw.KEY_COMMA: K.comma,
        glfw.KEY_SLASH: K.slash,
    }
    for i in range(26):
        m[glfw.KEY_A + i] = getattr(K, chr(ord("a") + i))
    for i in range(10):
        m[glfw.KEY_0 + i] = getattr(K, f"_{i}")
    for i in range(12):
        m[glfw.KEY_F1 + i] = getattr(K, f"f{i + 1}")
    return m


@lru_cache(maxsize=1)
def modifier_keys() -> dict[Any, Any]:
    from imgui_bundle import imgui

    K = imgui.Key
    return {K.left_ctrl: K.mod_ctrl, K.right_ctrl: K.mod_ctrl, K.left_shift: K.mod_shift, K.right_shift: K.mod_shift,
            K.left_alt: K.mod_alt, K.right_alt: K.mod_alt, K.left_super: K.mod_super, K.right_super: K.mod_super}
