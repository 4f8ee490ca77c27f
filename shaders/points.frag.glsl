#version 330 core
#include "pick.glsl"
#include "coverage.glsl"

in vec2 v_px;
flat in float v_r;
flat in vec4 v_color;
flat in uvec4 v_pick;

void main() {
    // Round points with an antialiased edge; hidden classes (alpha 0) draw nothing and cannot be
    // picked.
    float coverage = edge_coverage(length(v_px), v_r);
    if (coverage <= 0.0 || v_color.a <= 0.0) {
        discard;
    }
    out_color = vec4(v_color.rgb, v_color.a * coverage);
    out_pick = v_pick;
}
