#version 330 core
// Lambert shading by a light at the eye (both sides lit), alpha scaled by the fill opacity.
#include "pick.glsl"

uniform vec4 u_eye;                // camera position (w = 1) or direction toward it (w = 0)
uniform float u_opacity;
uniform float u_ambient;

in vec3 v_normal;
in vec3 v_world;
flat in vec4 v_color;
flat in uvec3 v_pick;

void main() {
    if (v_color.a <= 0.0) {
        discard;
    }
    vec3 to_eye = normalize(u_eye.w > 0.5 ? u_eye.xyz - v_world : u_eye.xyz);
    float diffuse = abs(dot(normalize(v_normal), to_eye));
    out_color = vec4(v_color.rgb * (u_ambient + (1.0 - u_ambient) * diffuse), v_color.a * u_opacity);
    out_pick = uvec4(v_pick, 0u);
}
