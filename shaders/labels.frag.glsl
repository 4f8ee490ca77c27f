#version 330 core
// Label = a dark translucent background box and the text in the label's own color (the
// instance's resolved color), as the Rerun 0.41 viewer draws labels. Glyph coverage comes from an R8 atlas (texelFetch).
#include "pick.glsl"

uniform sampler2D u_atlas;

in vec2 v_atlas;
flat in vec4 v_color;
flat in int v_solid;
flat in uvec3 v_pick;

void main() {
    if (v_color.a <= 0.0) {
        discard;   // hidden class: its labels go too
    }
    if (v_solid == 1) {
        out_color = vec4(0.012, 0.012, 0.012, 0.8 * v_color.a);   // linear ~ sRGB (28, 28, 28)
    } else {
        float coverage = texelFetch(u_atlas, ivec2(floor(v_atlas)), 0).r;
        if (coverage <= 0.0) {
            discard;
        }
        out_color = vec4(v_color.rgb, coverage * v_color.a);
    }
    out_pick = uvec4(v_pick, 0u);
}
