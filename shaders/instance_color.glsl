// Color of one instance of an instanced primitive (points, lines, labels), in LINEAR rgb:
// explicit sRGB colors (per-instance attribute COLOR_ATTRIB, or one uniform COLOR_UNIFORM) win,
// otherwise the palette color passed in (palette lookups are already linear).
#include "palette.glsl"

#ifdef COLOR_ATTRIB
in vec4 in_color;                  // sRGB, normalized from uint8
#endif
#ifdef COLOR_UNIFORM
uniform vec4 u_color;              // sRGB
#endif

vec4 instance_color(vec4 palette_color) {
#if defined(COLOR_ATTRIB)
    return srgb_to_linear(in_color);
#elif defined(COLOR_UNIFORM)
    return srgb_to_linear(u_color);
#else
    return palette_color;
#endif
}
