#version 330 core
// Segmentation image: an R8UI / R16UI texture of class ids, colored by the class palette on the
// GPU (no CPU palette[ids] pass, no filtering or normalization of ids).
// Variants (defines), compile-time so the common case runs without branches or discards:
//   ZERO_TRANSPARENT  view option: class 0 draws nothing
//   OUTLINE           draw only pixels whose id differs from a 4-neighbour
//   SEE_THROUGH       the palette has alpha-0 classes: skip them (not drawn, not picked)
#include "palette.glsl"
#include "pick.glsl"

uniform usampler2D u_ids;
uniform float u_opacity;           // effective opacity (0.5 over an image, 1.0 alone, or user's)
uniform vec2 u_size;

in vec2 v_pixel;

uint id_at(ivec2 p, ivec2 size) {
    return texelFetch(u_ids, clamp(p, ivec2(0), size - 1), 0).r;
}

void main() {
    ivec2 size = ivec2(u_size);
    ivec2 p = clamp(ivec2(v_pixel), ivec2(0), size - 1);   // v_pixel >= 0: truncation == floor
    uint id = texelFetch(u_ids, p, 0).r;
#ifdef ZERO_TRANSPARENT
    if (id == 0u) {
        discard;
    }
#endif
#ifdef OUTLINE
    if (id_at(p + ivec2(1, 0), size) == id && id_at(p - ivec2(1, 0), size) == id
            && id_at(p + ivec2(0, 1), size) == id && id_at(p - ivec2(0, 1), size) == id) {
        discard;
    }
#endif
    vec4 c = class_color(id);
#ifdef SEE_THROUGH
    if (c.a <= 0.0) {
        discard;
    }
#endif
    out_color = vec4(c.rgb, c.a * u_opacity);
    out_pick = pick_record(uint(p.y * size.x + p.x), id + 1u, 0u);
}
