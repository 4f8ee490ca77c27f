// Screen-space helpers for primitives whose size may be given in pixels (negative radius, as
// in Rerun) or in scene units (positive radius).
uniform mat4 u_view_proj;
uniform vec2 u_viewport;   // framebuffer size in pixels
uniform float u_px_scale;  // pixels per scene unit at clip w == 1 (|proj[1][1]| * height / 2)
uniform float u_ui_scale = 1.0;  // framebuffer pixels per UI point (HiDPI): scales screen-pixel sizes

// Pixels per scene unit at a point whose clip w is `w` (ortho: w == 1; perspective: shrinks).
float px_per_unit(float w) {
    return u_px_scale / w;
}

// Radius in pixels: negative radius = screen (UI) points, positive = scene units.
float radius_px(float radius, float w) {
    return radius < 0.0 ? -radius * u_ui_scale : radius * px_per_unit(w);
}

// Move a clip-space position by an offset in framebuffer pixels.
vec4 offset_px(vec4 clip, vec2 px) {
    return vec4(clip.xy + px * 2.0 / u_viewport * clip.w, clip.zw);
}
