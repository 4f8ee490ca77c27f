#version 330 core
// Text labels: one instanced quad per glyph (and one per label background) at a framebuffer
// pixel position placed on the CPU each frame (render/label_placement.py: projected anchor,
// moved aside or dropped so labels never overlap), in whole pixels so glyphs from the atlas map
// 1:1 onto framebuffer pixels.
// Variants (defines): COLOR_PALETTE | COLOR_ATTRIB | COLOR_UNIFORM; PICK_ATTRIB.
#include "screen.glsl"
#include "instance_color.glsl"
#include "pick_ids.glsl"
#include "color_by.glsl"

in vec2 in_corner;                 // (0,0) top-left .. (1,1) bottom-right
in vec3 in_place;                  // the label box's top-left (px, y down); z = 0: not drawn
in vec4 in_rect;                   // x, y offset (px) of the quad from the box's top-left; w, h (px)
in vec4 in_uv;                     // atlas x, y, w, h in atlas pixels; w == 0: solid background
in uvec3 in_ids;                   // class id, keypoint id (0xFFFFFFFF = none), instance index

out vec2 v_atlas;
flat out vec4 v_color;             // linear label color: the instance's own, as points resolve it
flat out int v_solid;
flat out uvec3 v_pick;             // object, instance, class + 1

void main() {
    if (in_place.z < 0.5) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        return;
    }
    vec2 p = in_place.xy + in_rect.xy + in_corner * in_rect.zw;
    vec2 ndc_out = vec2(p.x / u_viewport.x * 2.0 - 1.0, 1.0 - p.y / u_viewport.y * 2.0);
    gl_Position = vec4(ndc_out, -1.0, 1.0);   // labels sit in front of everything
    v_atlas = in_uv.xy + in_corner * in_uv.zw;
    v_solid = in_uv.z == 0.0 ? 1 : 0;
    uvec2 object_instance = pick_object_instance(in_ids.z);
    // the instance's own color (keypoint > class), then the view's "color by"
    v_color = color_by(instance_color(keypoint_color(in_ids.x, in_ids.y)), object_instance);
    v_pick = uvec3(object_instance, in_ids.x + 1u);
}
