// sRGB <-> linear conversions (exact IEC 61966-2-1 curves).
// Colors arrive as sRGB-encoded 8-bit values; the color target is SRGB8_ALPHA8 with
// GL_FRAMEBUFFER_SRGB on, so shaders output LINEAR color and the hardware blends in linear
// light and re-encodes: that is how Rerun blends (docs/semantics.md, "Segmentation images").
vec3 srgb_to_linear(vec3 c) {
    vec3 lo = c / 12.92;
    vec3 hi = pow((c + 0.055) / 1.055, vec3(2.4));
    return mix(hi, lo, vec3(lessThanEqual(c, vec3(0.04045))));
}

vec4 srgb_to_linear(vec4 c) {
    return vec4(srgb_to_linear(c.rgb), c.a);
}

vec3 linear_to_srgb(vec3 c) {
    vec3 lo = c * 12.92;
    vec3 hi = 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055;
    return mix(hi, lo, vec3(lessThanEqual(c, vec3(0.0031308))));
}
