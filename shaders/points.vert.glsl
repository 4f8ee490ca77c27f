#version 330 core
// Instanced round points: one quad (4 vertices, triangle strip) per instance, one draw call.
// The quad reaches one pixel past the radius; the fragment shader cuts an antialiased disc.
// Variants (defines): POS2D; COLOR_PALETTE | COLOR_ATTRIB | COLOR_UNIFORM; RADIUS_ATTRIB; PICK_ATTRIB;
// CLASS_STYLE (per-class radius scale); COLOR_BY_ENTITY | COLOR_BY_INSTANCE.
#include "screen.glsl"
#include "instance_color.glsl"
#include "pick_ids.glsl"
#include "class_style.glsl"
#include "color_by.glsl"
#include "coverage.glsl"

in vec2 in_corner;                 // per vertex: (-1,-1) .. (1,1)
#ifdef POS2D
in vec2 in_position;               // per instance, scene units
#else
in vec3 in_position;
#endif
in uvec2 in_ids;                   // class id, keypoint id (NO_KEYPOINT / 0xFFFFFFFF = none)
#ifdef RADIUS_ATTRIB
in float in_radius;                // < 0: screen pixels, > 0: scene units
#else
uniform float u_radius;
#endif

uniform vec4 u_eye;                // camera position (w = 1) or direction toward it (w = 0)

out vec2 v_px;                     // pixels from the point's center
flat out float v_r;                // radius in pixels
flat out vec4 v_color;             // linear RGB, alpha
flat out uvec4 v_pick;             // object, instance, class + 1, keypoint + 1

void main() {
#ifdef POS2D
    vec4 clip = u_view_proj * vec4(in_position, 0.0, 1.0);
#else
    vec4 clip = u_view_proj * vec4(in_position, 1.0);
#endif
#ifdef RADIUS_ATTRIB
    float r = radius_px(in_radius * class_style(in_ids.x).x, clip.w);
#else
    float r = radius_px(u_radius * class_style(in_ids.x).x, clip.w);
#endif
#ifndef POS2D
    // Depth of the sphere's front instead of its center, so lines ending at a joint (keypoint
    // connections) do not poke through the point drawn there.
    vec3 to_eye = u_eye.w > 0.5 ? u_eye.xyz - in_position : u_eye.xyz;
    float r_scene = r / px_per_unit(clip.w);
    if (dot(to_eye, to_eye) > 0.0) {
        vec4 front = u_view_proj * vec4(in_position + normalize(to_eye) * r_scene, 1.0);
        if (front.w > 0.0) {
            clip.z = front.z / front.w * clip.w;
        }
    }
#endif
    vec2 px = in_corner * (r + AA_PAD_PX);
    gl_Position = offset_px(clip, px);
    v_px = px;
    v_r = r;
    uvec2 object_instance = pick_object_instance(uint(gl_InstanceID));
    v_color = color_by(instance_color(keypoint_color(in_ids.x, in_ids.y)), object_instance);
    v_pick = uvec4(object_instance, in_ids.x + 1u, in_ids.y + 1u);
}
