#version 330 core
// Copies the SRGB8_ALPHA8 color target into a plain RGBA8 texture with the same bytes, for
// displays that sample it without sRGB decoding (the imgui image in the desktop viewer).
// texelFetch decodes sRGB to linear; encoding back here is exact for 8-bit values.
#include "color.glsl"

uniform sampler2D u_color;
out vec4 out_color;

void main() {
    vec4 c = texelFetch(u_color, ivec2(gl_FragCoord.xy), 0);
    out_color = vec4(linear_to_srgb(c.rgb), c.a);
}
