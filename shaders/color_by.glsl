// The view's "color by" option (docs/styling.md): COLOR_BY_ENTITY recolors every instance with
// its entity's default color, COLOR_BY_INSTANCE with the auto color of its instance index; the
// color table is looked up by object id or instance index (256 wide, sRGB: texelFetch returns
// linear rgb). Alpha stays the resolved one, so hidden and dimmed classes stay hidden and dimmed.
// Without either define (color by class) the resolved annotation color is used unchanged.
#if defined(COLOR_BY_ENTITY) || defined(COLOR_BY_INSTANCE)
uniform sampler2D u_color_table;

vec4 color_by(vec4 resolved, uvec2 object_instance) {
#ifdef COLOR_BY_ENTITY
    uint i = object_instance.x;
#else
    uint i = object_instance.y & 0xFFFFu;
#endif
    int rows = textureSize(u_color_table, 0).y;
    ivec2 texel = ivec2(int(i & 255u), min(int(i >> 8u), rows - 1));
    return vec4(texelFetch(u_color_table, texel, 0).rgb, resolved.a);
}
#else
vec4 color_by(vec4 resolved, uvec2 object_instance) {
    return resolved;
}
#endif
