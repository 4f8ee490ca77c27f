#version 330 core
// Text labels: one instanced quad per glyph (and one per label background), positioned in
// framebuffer pixels relative to a projected scene anchor, snapped to whole pixels so glyphs
// from the atlas map 1:1 onto framebuffer pixels.
// Variants (defines): POS2D; COLOR_PALETTE | COLOR_ATTRIB | COLOR_UNIFORM; PICK_ATTRIB.
#include "screen.glsl"
#include "instance_color.glsl"
#include "pick_ids.glsl"
#include "color_by.glsl"

in vec2 in_corner;                 // (0,0) top-left .. (1,1) bottom-right
#ifdef POS2D
in vec2 in_anchor;
#else
in vec3 in_anchor;
#endif
in vec4 in_rect;                   // x, y offset (px, y down) of the quad's top-left; w, h (px)
in vec4 in_uv;                     // atlas x, y, w, h in atlas pixels; w == 0: solid background
in uvec2 in_ids;                   // class id (0xFFFFFFFF = none), instance index

out vec2 v_atlas;
flat out vec4 v_color;             // linear label color
flat out int v_solid;
flat out uvec3 v_pick;             // object, instance, class + 1

void main() {
#ifdef POS2D
    vec4 clip = u_view_proj * vec4(in_anchor, 0.0, 1.0);
#else
    vec4 clip = u_view_proj * vec4(in_anchor, 1.0);
#endif
    if (clip.w <= 0.0) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        return;
    }
    // Anchor in framebuffer pixels with a top-left origin, snapped to a pixel corner.
    vec2 ndc = clip.xy / clip.w;
    vec2 px = vec2((ndc.x * 0.5 + 0.5) * u_viewport.x, (0.5 - ndc.y * 0.5) * u_viewport.y);
    px = floor(px + 0.5);
    vec2 p = px + in_rect.xy + in_corner * in_rect.zw;
    vec2 ndc_out = vec2(p.x / u_viewport.x * 2.0 - 1.0, 1.0 - p.y / u_viewport.y * 2.0);
    gl_Position = vec4(ndc_out, -1.0, 1.0);   // labels sit in front of everything
    v_atlas = in_uv.xy + in_corner * in_uv.zw;
    v_solid = in_uv.z == 0.0 ? 1 : 0;
    uvec2 object_instance = pick_object_instance(in_ids.y);
    v_color = color_by(instance_color(class_color(in_ids.x)), object_instance);   // follows "color by"
    v_pick = uvec3(object_instance, in_ids.x + 1u);
}
