#version 330 core
#include "pick.glsl"

in vec2 v_corner;
flat in vec4 v_color;
flat in uvec4 v_pick;

void main() {
    // Round points: discard outside the unit circle; hidden classes (alpha 0) draw nothing and
    // cannot be picked.
    if (dot(v_corner, v_corner) > 1.0 || v_color.a <= 0.0) {
        discard;
    }
    out_color = v_color;
    out_pick = v_pick;
}
