#version 330 core
#include "pick.glsl"

flat in vec4 v_color;
flat in uvec2 v_pick;

void main() {
    if (v_color.a <= 0.0) {
        discard;
    }
    out_color = v_color;
    out_pick = pick_record(v_pick.x, v_pick.y, 0u);
}
