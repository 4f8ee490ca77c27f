#version 330 core
// Thick line segments for a core profile (no glLineWidth > 1): one instanced quad per segment,
// expanded in screen space by the radius (half the line width) plus an antialiasing pixel. The
// fragment shader cuts round caps from the quad's ends, so the segments of a strip or a box
// outline meet in round joins without gaps at any angle. Segments crossing the near plane are
// clipped first.
// Variants (defines): POS2D; COLOR_PALETTE | COLOR_ATTRIB | COLOR_UNIFORM; RADIUS_ATTRIB; PICK_ATTRIB;
// CLASS_STYLE (per-class thickness scale); COLOR_BY_ENTITY | COLOR_BY_INSTANCE;
// ARROW_SHAFT | ARROW_HEAD: the segment is an arrow (p0 origin, p1 tip); the shaft stops where the
// head starts, and the head folds the quad into a triangle whose tip is exactly at p1.
#include "screen.glsl"
#include "instance_color.glsl"
#include "pick_ids.glsl"
#include "class_style.glsl"
#include "color_by.glsl"
#include "coverage.glsl"

in vec2 in_corner;                 // per vertex: x in {0, 1} (start/end), y in {-1, 1} (side)
#ifdef POS2D
in vec2 in_p0;
in vec2 in_p1;
#else
in vec3 in_p0;
in vec3 in_p1;
#endif
in uvec2 in_ids;                   // class id (0xFFFFFFFF = none), instance index
#ifdef RADIUS_ATTRIB
in float in_radius;
#else
uniform float u_radius;
#endif
#if defined(ARROW_SHAFT) || defined(ARROW_HEAD)
uniform float u_head_length;       // times the radius at the tip
uniform float u_head_width;        // half-width, times the radius at the tip
#endif

flat out vec4 v_color;
flat out uvec3 v_pick;             // object, instance, class + 1
noperspective out vec2 v_px;       // pixels along the segment from its start, and across it
noperspective out float v_r;       // radius in pixels at this fragment
flat out float v_len;              // segment length in pixels (0: no caps, arrows)

void main() {
#ifdef POS2D
    vec4 c0 = u_view_proj * vec4(in_p0, 0.0, 1.0);
    vec4 c1 = u_view_proj * vec4(in_p1, 0.0, 1.0);
#else
    vec4 c0 = u_view_proj * vec4(in_p0, 1.0);
    vec4 c1 = u_view_proj * vec4(in_p1, 1.0);
#endif
    const float near_w = 1e-5;
    if (c0.w < near_w && c1.w < near_w) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);   // entirely behind the camera
        return;
    }
    if (c0.w < near_w) c0 = mix(c0, c1, (near_w - c0.w) / (c1.w - c0.w));
    if (c1.w < near_w) c1 = mix(c1, c0, (near_w - c1.w) / (c0.w - c1.w));

    vec2 s0 = c0.xy / c0.w * u_viewport * 0.5;
    vec2 s1 = c1.xy / c1.w * u_viewport * 0.5;
    vec2 d = s1 - s0;
    float len = length(d);
    vec2 dir = len > 1e-6 ? d / len : vec2(1.0, 0.0);
    vec2 normal = vec2(-dir.y, dir.x);

    bool at_end = in_corner.x > 0.5;
    vec4 c = at_end ? c1 : c0;
#ifdef RADIUS_ATTRIB
    float radius = in_radius;
#else
    float radius = u_radius;
#endif
    radius *= class_style(in_ids.x).y;
    float r = radius_px(radius, c.w);
#if defined(ARROW_SHAFT) || defined(ARROW_HEAD)
    float r_tip = radius_px(radius, c1.w);
    float head = min(u_head_length * r_tip, len);
    v_len = 0.0;
#endif
#if defined(ARROW_HEAD)
    vec2 off = at_end ? vec2(0.0) : -dir * head + normal * in_corner.y * u_head_width * r_tip;
    gl_Position = offset_px(c1, off);
    v_px = vec2(0.0);
    v_r = 1e9;                     // the head is a plain triangle
#elif defined(ARROW_SHAFT)
    vec2 off = normal * in_corner.y * r + dir * (at_end ? -head : -r);
    gl_Position = offset_px(c, off);
    v_px = vec2(0.0, in_corner.y * r);
    v_r = r;
#else
    float pad = r + AA_PAD_PX;
    vec2 off = normal * in_corner.y * pad + dir * (at_end ? pad : -pad);
    gl_Position = offset_px(c, off);
    v_px = vec2(at_end ? len + pad : -pad, in_corner.y * pad);
    v_r = r;
    v_len = len;
#endif

    uvec2 object_instance = pick_object_instance(in_ids.y);
    v_color = color_by(instance_color(class_color(in_ids.x)), object_instance);
    v_pick = uvec3(object_instance, in_ids.x + 1u);
}
