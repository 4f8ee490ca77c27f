#version 330 core
// Segmentation image: an R8UI / R16UI texture of class ids, colored by the class palette on the
// GPU (no CPU palette[ids] pass, no filtering or normalization of ids).
#include "palette.glsl"
#include "pick.glsl"

uniform usampler2D u_ids;
uniform float u_opacity;           // effective opacity (0.5 over an image, 1.0 alone, or user's)
uniform bool u_zero_transparent;   // view option: class 0 draws nothing
uniform bool u_outline;            // draw only pixels whose id differs from a 4-neighbour
uniform vec2 u_size;

in vec2 v_pixel;

uint id_at(ivec2 p, ivec2 size) {
    return texelFetch(u_ids, clamp(p, ivec2(0), size - 1), 0).r;
}

void main() {
    ivec2 size = ivec2(u_size);
    ivec2 p = clamp(ivec2(floor(v_pixel)), ivec2(0), size - 1);
    uint id = texelFetch(u_ids, p, 0).r;
    if (u_zero_transparent && id == 0u) {
        discard;
    }
    if (u_outline) {
        bool edge = id_at(p + ivec2(1, 0), size) != id || id_at(p - ivec2(1, 0), size) != id
                 || id_at(p + ivec2(0, 1), size) != id || id_at(p - ivec2(0, 1), size) != id;
        if (!edge) {
            discard;
        }
    }
    vec4 c = class_color(id);
    float a = c.a * u_opacity;
    if (a <= 0.0) {
        discard;   // see-through class: nothing drawn, nothing picked
    }
    out_color = vec4(srgb_to_linear(c.rgb), a);
    out_pick = pick_record(uint(p.y * size.x + p.x), id + 1u, 0u);
}
