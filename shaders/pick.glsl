// Fragment outputs. The color pass writes linear color to an SRGB8_ALPHA8 target (hardware
// blends in linear light). Picking is a separate pass (define PICK_PASS), rendered on demand
// and scissored to the queried pixels, that writes the pick record to an RGBA32UI target:
// object id (0 = none), instance index, class id + 1 (0 = none), keypoint id + 1 (0 = none).
// Every shader assigns both; the compiler drops the one the pass does not output, so the color
// pass pays nothing for picking.
#ifdef PICK_PASS
layout(location = 0) out uvec4 out_pick;
vec4 out_color;
#else
layout(location = 0) out vec4 out_color;
uvec4 out_pick;
#endif

uniform uint u_object_id;

uvec4 pick_record(uint instance, uint class_plus_one, uint keypoint_plus_one) {
    return uvec4(u_object_id, instance, class_plus_one, keypoint_plus_one);
}
