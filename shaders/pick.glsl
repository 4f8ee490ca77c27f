// Fragment outputs of every pass: linear color (location 0, SRGB8_ALPHA8 target) and the pick
// record (location 1, RGBA32UI target): object id (0 = none), instance index,
// class id + 1 (0 = none), keypoint id + 1 (0 = none). Integer targets are never blended.
layout(location = 0) out vec4 out_color;
layout(location = 1) out uvec4 out_pick;

uniform uint u_object_id;

uvec4 pick_record(uint instance, uint class_plus_one, uint keypoint_plus_one) {
    return uvec4(u_object_id, instance, class_plus_one, keypoint_plus_one);
}
