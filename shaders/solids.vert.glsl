#version 330 core
// Instanced closed shapes (3D box and ellipsoid fills): a unit mesh scaled by the instance's half
// sizes, rotated and moved to its center. Variants (defines): COLOR_PALETTE | COLOR_ATTRIB |
// COLOR_UNIFORM; PICK_ATTRIB.
#include "screen.glsl"
#include "instance_color.glsl"
#include "pick_ids.glsl"

in vec3 in_vertex;                 // unit mesh
in vec3 in_normal;
in vec3 in_center;                 // per instance
in vec3 in_half;
in vec3 in_rot0;                   // rotation matrix columns
in vec3 in_rot1;
in vec3 in_rot2;
in uvec2 in_ids;                   // class id (0xFFFFFFFF = none), instance index

out vec3 v_normal;
out vec3 v_world;
flat out vec4 v_color;
flat out uvec3 v_pick;             // object, instance, class + 1

void main() {
    mat3 rot = mat3(in_rot0, in_rot1, in_rot2);
    vec3 p = in_center + rot * (in_half * in_vertex);
    v_world = p;
    v_normal = rot * (in_normal / max(abs(in_half), vec3(1e-12)));   // inverse transpose of rot * diag(half)
    gl_Position = u_view_proj * vec4(p, 1.0);
    v_color = instance_color(class_color(in_ids.x));
    v_pick = uvec3(pick_object_instance(in_ids.y), in_ids.x + 1u);
}
