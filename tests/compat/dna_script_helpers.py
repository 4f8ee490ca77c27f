"""A Rerun user's example in the published style: argparse flags from rr.script_add_args,
rr.script_setup / rr.script_teardown, the color spiral helpers, a blueprint."""
import argparse
from math import tau

import numpy as np

import annoview as rr
import annoview.blueprint as rrb
from annoview.utilities import bounce_lerp, build_color_spiral

parser = argparse.ArgumentParser(description="Logs a DNA-like helix")
rr.script_add_args(parser)
args = parser.parse_args()
rr.script_setup(args, "compat_dna", default_blueprint=rrb.Blueprint(
    rrb.Spatial3DView(origin="/helix", name="helix"), rrb.BlueprintPanel(state="collapsed")))

rr.set_time("stable_time", duration=0)
points1, colors1 = build_color_spiral(50)
points2, colors2 = build_color_spiral(50, angular_offset=tau * 0.5)
rr.log("helix/structure/left", rr.Points3D(points1, radii=0.08))
rr.log("helix/structure/right", rr.Points3D(points2, radii=0.08))
rr.log("helix/structure/scaffolding", rr.LineStrips3D(np.stack((points1, points2), axis=1), colors=[128, 128, 128]))
offsets = np.linspace(0, 1, 50)
for i in range(10):
    t = i * 0.1
    rr.set_time("stable_time", duration=t)
    beads = np.array([bounce_lerp(points1[n], points2[n], t + offsets[n]) for n in range(50)])
    rr.log("helix/structure/scaffolding/beads", rr.Points3D(beads, radii=0.06, colors=[200, 120, 80]))
rr.script_teardown(args)
