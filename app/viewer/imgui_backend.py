"""Dear ImGui draw data -> pixels through moderngl, the renderer's own GL wrapper.

Why not imgui-bundle's PyOpenGL backend: with it two libraries drive one GL context, each with
its own idea of the bound program, VAO, textures and framebuffer, and every mismatch surfaces
later as a GL error in the other one (docs/architecture.md, "Notes from this machine"). Here the UI is one more
moderngl user: GL state is set explicitly for every draw and put back (blend, scissor off) so the
scene renderer starts each frame from a known state, and `ctx.error` stays GL_NO_ERROR.

It also implements imgui 1.92's "renderer has textures" protocol (the font atlas is created and
updated incrementally by imgui; we create/update/destroy the GL textures it asks for), and it
draws a whole frame with two buffer uploads: every draw list's vertices and indices are
concatenated, the indices rebased on the CPU (32-bit indices, so no base-vertex draws needed).
"""
from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

VERTEX_SHADER = """
#version 330
uniform mat4 u_proj;
in vec2 in_pos;
in vec2 in_uv;
in vec4 in_color;
out vec2 v_uv;
out vec4 v_color;
void main() {
    v_uv = in_uv;
    v_color = in_color;
    gl_Position = u_proj * vec4(in_pos, 0.0, 1.0);
}
"""

FRAGMENT_SHADER = """
#version 330
uniform sampler2D u_texture;
in vec2 v_uv;
in vec4 v_color;
out vec4 out_color;
void main() {
    out_color = v_color * texture(u_texture, v_uv);
}
"""


class ImguiRenderer:
    """Draws `imgui.get_draw_data()` into the currently bound (or a given) framebuffer."""

    def __init__(self, ctx: Any) -> None:
        import moderngl
        from imgui_bundle import imgui

        self._mgl = moderngl
        self._imgui = imgui
        self.ctx = ctx
        self.prog = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER)
        self.prog["u_texture"].value = 0
        self._vbo = ctx.buffer(reserve=1 << 16, dynamic=True)
        self._ibo = ctx.buffer(reserve=1 << 16, dynamic=True)
        self._vao = self._make_vao()
        # GL name -> texture: imgui's own (font atlas) and wrappers of foreign names (view images)
        self._owned: dict[int, Any] = {}
        self._foreign: dict[int, Any] = {}
        io = imgui.get_io()
        io.backend_flags |= imgui.BackendFlags_.renderer_has_textures
        limit = int(ctx.info.get("GL_MAX_TEXTURE_SIZE", 8192))
        imgui.get_platform_io().renderer_texture_max_width = limit
        imgui.get_platform_io().renderer_texture_max_height = limit
        self.draw_calls = 0

    def _make_vao(self) -> Any:
        from imgui_bundle import imgui

        assert imgui.VERTEX_SIZE == 20 and imgui.INDEX_SIZE == 4, "unexpected ImDrawVert/ImDrawIdx layout"
        return self.ctx.vertex_array(self.prog, [(self._vbo, "2f 2f 4f1", "in_pos", "in_uv", "in_color")],
                                     index_buffer=self._ibo, index_element_size=4)

    # ---- textures ---------------------------------------------------------------------------
    def _update_textures(self) -> None:
        imgui = self._imgui
        for tex in imgui.get_platform_io().textures:
            if tex.status != imgui.ImTextureStatus.ok:
                self._update_texture(tex)

    def _update_texture(self, tex: Any) -> None:
        imgui, mgl = self._imgui, self._mgl
        status = tex.status
        if status == imgui.ImTextureStatus.want_create:
            pixels = np.asarray(tex.get_pixels_array(), np.uint8).reshape(tex.height, tex.width, tex.bytes_per_pixel)
            gl_tex = self.ctx.texture((tex.width, tex.height), 4, _rgba(pixels).tobytes())
            gl_tex.filter = (mgl.LINEAR, mgl.LINEAR)
            gl_tex.repeat_x = gl_tex.repeat_y = False
            self._owned[gl_tex.glo] = gl_tex
            tex.set_tex_id(gl_tex.glo)
            tex.status = imgui.ImTextureStatus.ok
        elif status == imgui.ImTextureStatus.want_updates:
            gl_tex = self._owned.get(int(tex.tex_id))
            if gl_tex is not None:
                pixels = np.asarray(tex.get_pixels_array(), np.uint8).reshape(tex.height, tex.width, tex.bytes_per_pixel)
                for r in tex.updates:
                    sub = _rgba(pixels[r.y:r.y + r.h, r.x:r.x + r.w])
                    gl_tex.write(np.ascontiguousarray(sub).tobytes(), viewport=(r.x, r.y, r.w, r.h))
            tex.status = imgui.ImTextureStatus.ok
        elif status == imgui.ImTextureStatus.want_destroy:
            gl_tex = self._owned.pop(int(tex.tex_id), None)
            if gl_tex is not None:
                gl_tex.release()
            tex.set_tex_id(0)
            tex.status = imgui.ImTextureStatus.destroyed

    def _texture(self, glo: int) -> Any:
        tex = self._owned.get(glo)
        if tex is None:
            tex = self._foreign.get(glo)
            if tex is None:
                # A texture made elsewhere in this context (a view's display texture): binding
                # needs only its GL name; size/format are not used for sampling.
                tex = self._foreign[glo] = self.ctx.external_texture(glo, (1, 1), 4, 0, "f1")
        return tex

    def forget(self, glo: int) -> None:
        """Drop the wrapper of a foreign texture that was released (its GL name may be reused)."""
        self._foreign.pop(int(glo), None)

    # ---- drawing ----------------------------------------------------------------------------
    def render(self, draw_data: Any, framebuffer: Any | None = None) -> None:
        """Draw one frame of UI. `framebuffer`: where (default: the one bound now)."""
        mgl, ctx = self._mgl, self.ctx
        self._update_textures()
        dw, dh = draw_data.display_size.x, draw_data.display_size.y
        sx, sy = draw_data.framebuffer_scale.x, draw_data.framebuffer_scale.y
        fb_w, fb_h = int(dw * sx), int(dh * sy)
        if fb_w <= 0 or fb_h <= 0:
            return
        lists = list(draw_data.cmd_lists)
        vtx_parts, idx_parts, bases = [], [], []
        n_vtx = n_idx = 0
        for dl in lists:
            nv, ni = dl.vtx_buffer.size(), dl.idx_buffer.size()
            vtx_parts.append(ctypes.string_at(dl.vtx_buffer.data_address(), nv * 20))
            idx = np.frombuffer(ctypes.string_at(dl.idx_buffer.data_address(), ni * 4), np.uint32)
            idx_parts.append(idx + np.uint32(n_vtx) if n_vtx else idx)
            bases.append(n_idx)
            n_vtx += nv
            n_idx += ni
        if n_idx == 0:
            return
        vtx = b"".join(vtx_parts)
        idx = np.concatenate(idx_parts).tobytes()
        if len(vtx) > self._vbo.size or len(idx) > self._ibo.size:
            self._vao.release()
            if len(vtx) > self._vbo.size:
                self._vbo.orphan(_grow(len(vtx)))
            if len(idx) > self._ibo.size:
                self._ibo.orphan(_grow(len(idx)))
            self._vao = self._make_vao()
        self._vbo.write(vtx)
        self._ibo.write(idx)

        x0, y0 = draw_data.display_pos.x, draw_data.display_pos.y
        proj = np.array([
            [2.0 / dw, 0.0, 0.0, 0.0],
            [0.0, -2.0 / dh, 0.0, 0.0],
            [0.0, 0.0, -1.0, 0.0],
            [-(2 * x0 + dw) / dw, (2 * y0 + dh) / dh, 0.0, 1.0],
        ], np.float32)
        self.prog["u_proj"].write(proj.tobytes())

        if framebuffer is not None:
            framebuffer.use()
        fbo = framebuffer or ctx.fbo
        prev_viewport = fbo.viewport if fbo is not None else None
        ctx.viewport = (0, 0, fb_w, fb_h)
        ctx.disable(mgl.DEPTH_TEST | mgl.CULL_FACE)
        ctx.enable(mgl.BLEND)
        ctx.blend_func = (mgl.SRC_ALPHA, mgl.ONE_MINUS_SRC_ALPHA, mgl.ONE, mgl.ONE_MINUS_SRC_ALPHA)
        ctx.blend_equation = mgl.FUNC_ADD
        try:
            for dl, base in zip(lists, bases):
                for cmd in dl.cmd_buffer:
                    if cmd.elem_count == 0:  # callbacks (no user callbacks are registered here)
                        continue
                    cx0 = (cmd.clip_rect.x - x0) * sx
                    cy0 = (cmd.clip_rect.y - y0) * sy
                    cx1 = (cmd.clip_rect.z - x0) * sx
                    cy1 = (cmd.clip_rect.w - y0) * sy
                    if cx1 <= cx0 or cy1 <= cy0:
                        continue
                    ctx.scissor = (int(cx0), int(fb_h - cy1), int(cx1 - cx0), int(cy1 - cy0))
                    self._texture(int(cmd.get_tex_id())).use(0)
                    self._vao.render(mgl.TRIANGLES, vertices=cmd.elem_count, first=base + cmd.idx_offset)
                    self.draw_calls += 1
        finally:
            ctx.scissor = None
            ctx.disable(mgl.BLEND)
            if prev_viewport is not None:
                ctx.viewport = prev_viewport

    def release(self) -> None:
        imgui = self._imgui
        for tex in imgui.get_platform_io().textures:
            if tex.status != imgui.ImTextureStatus.destroyed and int(tex.tex_id) in self._owned:
                self._owned.pop(int(tex.tex_id)).release()
                tex.set_tex_id(0)
                tex.status = imgui.ImTextureStatus.destroyed
        for tex in self._owned.values():
            tex.release()
        self._owned.clear()
        self._foreign.clear()
        self._vao.release()
        self._vbo.release()
        self._ibo.release()
        self.prog.release()


def _rgba(pixels: np.ndarray) -> np.ndarray:
    """imgui textures are RGBA32 or Alpha8; GL gets RGBA8 either way (white + alpha)."""
    if pixels.shape[-1] == 4:
        return np.ascontiguousarray(pixels)
    out = np.full(pixels.shape[:2] + (4,), 255, np.uint8)
    out[..., 3] = pixels[..., 0]
    return out


def _grow(n: int) -> int:
    size = 1 << 16
    while size < n:
        size <<= 1
    return size
