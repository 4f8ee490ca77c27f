#version 330 core
// Color images: gray / RGB / RGBA in uint8, uint16 (integer texture) or float32. Values are
// mapped from u_range to 0..1 (Rerun's value range), then read as sRGB-encoded unless u_linear;
// we output linear so blending happens in linear light. NEAREST via texelFetch: one texel per
// image pixel. u_bgr swaps red and blue (BGR / BGRA color models).
// Variants (defines):
//   IMAGE_INTEGER      usampler2D (uint16): raw integer values, mapped by u_range
//   IMAGE_LINEAR       bilinear sampling (magnification filter Linear/Bicubic); not for integers
//   IMAGE_SRGB_TEXTURE an SRGB8 / SRGB8_ALPHA8 texture (uint8 RGB/RGBA): texelFetch already
//                      returns linear color, decoded by the hardware
#include "color.glsl"
#include "pick.glsl"

#ifdef IMAGE_INTEGER
uniform usampler2D u_image;
#else
uniform sampler2D u_image;
#endif
uniform int u_channels;            // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
uniform float u_opacity;
uniform vec2 u_size;
uniform vec2 u_range;              // texel values mapped to 0 .. 1
uniform int u_linear;              // 1: normalized RGB is linear light already
uniform int u_bgr;                 // 1: swap red and blue

in vec2 v_pixel;

void main() {
    ivec2 size = ivec2(u_size);
    ivec2 p = clamp(ivec2(v_pixel), ivec2(0), size - 1);   // v_pixel >= 0: truncation == floor
#ifdef IMAGE_INTEGER
    vec4 t = vec4(texelFetch(u_image, p, 0));
#elif defined(IMAGE_LINEAR)
    vec4 t = texture(u_image, v_pixel / u_size);
#else
    vec4 t = texelFetch(u_image, p, 0);
#endif
    if (u_bgr == 1) t.rgb = t.bgr;
#ifdef IMAGE_SRGB_TEXTURE
    vec4 c = vec4(t.rgb, u_channels == 4 ? t.a : 1.0);
#else
    t = (t - u_range.x) / (u_range.y - u_range.x);
    vec4 c;
    if (u_channels == 1) c = vec4(t.rrr, 1.0);
    else if (u_channels == 2) c = vec4(t.rrr, t.g);
    else if (u_channels == 3) c = vec4(t.rgb, 1.0);
    else c = t;
    c = clamp(c, 0.0, 1.0);
    if (u_linear == 0) c.rgb = srgb_to_linear(c.rgb);
#endif
    out_color = vec4(c.rgb, c.a * u_opacity);
    // no discard for transparent pixels: the image stays pickable everywhere (and llvmpipe keeps
    // its fast path for shaders without discard)
    out_pick = pick_record(uint(p.y * size.x + p.x), 0u, 0u);
}
