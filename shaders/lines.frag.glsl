#version 330 core
#include "pick.glsl"
#include "coverage.glsl"

flat in vec4 v_color;
flat in uvec3 v_pick;
noperspective in vec2 v_px;
noperspective in float v_r;
flat in float v_len;

void main() {
    // distance to the segment's core (its centerline from 0 to v_len): round caps past the ends
    float along = clamp(v_px.x, 0.0, v_len);
    float coverage = edge_coverage(length(vec2(v_px.x - along, v_px.y)), v_r);
    if (coverage <= 0.0 || v_color.a <= 0.0) {
        discard;
    }
    out_color = vec4(v_color.rgb, v_color.a * coverage);
    out_pick = uvec4(v_pick, 0u);
}
