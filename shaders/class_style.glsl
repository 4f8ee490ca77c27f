// Per-class size scales set in the legend (docs/styling.md "Per-class styling"): the point radius
// and the line thickness of every instance of a class are multiplied on the GPU, so changing them
// rebuilds no geometry. CLASS_STYLE is defined for primitives that carry class ids.
// u_class_style  RG16F 256x256: texel (id % 256, id / 256) = (point radius scale, line scale).
#ifdef CLASS_STYLE
uniform sampler2D u_class_style;

vec2 class_style(uint cid) {
    if (cid == 0xFFFFFFFFu) {
        return vec2(1.0);                 // no class id
    }
    return texelFetch(u_class_style, ivec2(int(cid & 255u), int((cid >> 8u) & 255u)), 0).xy;
}
#else
vec2 class_style(uint cid) {
    return vec2(1.0);
}
#endif
