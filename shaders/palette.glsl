// GPU color lookup shared by every primitive that carries class ids (docs/architecture.md, "Colors on the GPU").
//
// u_palette      SRGB8_ALPHA8 256x256: texel (id % 256, id / 256) = color of class id (alpha 0 =
//                hidden). The texture format is sRGB, so texelFetch returns LINEAR rgb: the
//                hardware decodes it, no pow() per fragment.
// u_kp_index     RG32UI 256x256: texel (id % 256, id / 256) = (base, count) of that class's
//                keypoint colors in u_kp_colors; count 0 = the class has no keypoint table.
// u_kp_colors    SRGB8_ALPHA8 256 wide: flat keypoint color table, entry i at (i % 256, i / 256).
//                Slots of keypoints without their own color hold the class color (written on the CPU).
// Ids stay integers all the way: texelFetch, no filtering, no normalization of ids.
#include "color.glsl"

uniform sampler2D u_palette;
uniform usampler2D u_kp_index;
uniform sampler2D u_kp_colors;

const uint NO_KEYPOINT = 0xFFFFFFFFu;

ivec2 id_texel(uint i) {
    return ivec2(int(i & 255u), int(i >> 8u));
}

// Linear RGB + alpha of a class id (0..65535).
vec4 class_color(uint cid) {
    return texelFetch(u_palette, id_texel(cid & 0xFFFFu), 0);
}

// Linear RGB + alpha of keypoint `kid` of class `cid`; falls back to the class color.
vec4 keypoint_color(uint cid, uint kid) {
    if (kid != NO_KEYPOINT) {
        uvec2 entry = texelFetch(u_kp_index, id_texel(cid & 0xFFFFu), 0).xy;
        if (kid < entry.y) {
            return texelFetch(u_kp_colors, id_texel(entry.x + kid), 0);
        }
    }
    return class_color(cid);
}
