// Antialiased edges for round primitives (points, line segments with round caps and joins),
// from the fragment's distance to the shape's core in framebuffer pixels.
// The color pass fades the last pixel (coverage = r + 0.5 - d, clamped): a line of radius r
// covers 2r pixels across on average whatever its subpixel position, which is how widths are
// compared with Rerun. The pick pass keeps the exact shape (d <= r), so what is picked is what
// is drawn at more than half coverage.
float edge_coverage(float d, float r) {
#ifdef PICK_PASS
    return d <= r ? 1.0 : 0.0;
#else
    return clamp(r + 0.5 - d, 0.0, 1.0);
#endif
}

// Pixels added around a primitive's quad so its antialiased edge is not cut off.
const float AA_PAD_PX = 1.0;
