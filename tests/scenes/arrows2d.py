"""Arrows2D under an annotation context, as a Rerun user logs them: class colors and labels from
the context, one arrow with an explicit color, one class missing from the context (auto color).
Runs unchanged with `import rerun as rr` (argv[1]: where to save)."""
import sys

import rerun as rr

rr.init("arrows2d")
rr.save(sys.argv[1] if len(sys.argv) > 1 else "arrows2d.rrd")
rr.log("/", rr.AnnotationContext([(1, "wind", (255, 160, 0)), (2, "flow", (0, 170, 255))]), static=True)
rr.log("field", rr.Arrows2D(origins=[[20, 20], [20, 60], [110, 20]], vectors=[[60, 0], [60, 20], [0, 60]],
                            class_ids=[1, 2, 7]), static=True)
rr.log("marked", rr.Arrows2D(origins=[[150, 90]], vectors=[[-40, -20]], colors=[(255, 255, 255)], radii=-3.0),
       static=True)
