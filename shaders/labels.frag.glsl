#version 330 core
// Label = a background box filled with the label color (like Rerun) and the text in black or
// white, whichever contrasts with it. Glyph coverage comes from an R8 atlas (texelFetch).
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
        out_color = v_color;
    } else {
        float coverage = texelFetch(u_atlas, ivec2(floor(v_atlas)), 0).r;
        if (coverage <= 0.0) {
            discard;
        }
        float luminance = dot(v_color.rgb, vec3(0.2126, 0.7152, 0.0722));
        vec3 text = luminance > 0.18 ? vec3(0.0) : vec3(1.0);
        out_color = vec4(text, coverage * v_color.a);
    }
    out_pick = uvec4(v_pick, 0u);
}
