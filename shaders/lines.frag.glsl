#version 330 core
#include "pick.glsl"

flat in vec4 v_color;
flat in uvec3 v_pick;

void main() {
    if (v_color.a <= 0.0) {
        discard;
    }
    out_color = v_color;
    out_pick = uvec4(v_pick, 0u);
}
