#version 330 core
// A quad covering the pixel rectangle [0, W] x [0, H] in scene units (image pixel coordinates,
// y down, origin at the top-left pixel corner). Shared by images and segmentation images.
uniform mat4 u_view_proj;
uniform vec2 u_size;               // image width, height in pixels

in vec2 in_corner;                 // (0,0) .. (1,1)
out vec2 v_pixel;                  // position in image pixels

void main() {
    v_pixel = in_corner * u_size;
    gl_Position = u_view_proj * vec4(v_pixel, 0.0, 1.0);
}
