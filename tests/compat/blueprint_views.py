"""A Rerun user's script with a rich blueprint (many view kinds, time ranges, components from
rerun.blueprint.components) next to annotated data; annoview ignores the blueprint."""
import sys

import numpy as np

import annoview as rr
import annoview.blueprint as rrb
from annoview.blueprint.components import Corner2D

rr.init("compat_blueprint")
rr.save(sys.argv[1])
blueprint = rrb.Blueprint(
    rrb.Horizontal(
        rrb.Vertical(
            rrb.Spatial2DView(origin="/image", name="Image", visual_bounds=rrb.VisualBounds2D(x_range=[0, 32], y_range=[0, 24])),
            rrb.Spatial3DView(origin="/world", background=rrb.BackgroundKind.GradientDark),
        ),
        rrb.Tabs(
            rrb.TimeSeriesView(origin="/plots", plot_legend=rrb.PlotLegend(corner=Corner2D.RightTop),
                               time_ranges=rrb.VisibleTimeRange("frame", start=rrb.TimeRangeBoundary.cursor_relative(seq=-10),
                                                                end=rrb.TimeRangeBoundary.cursor_relative())),
            rrb.TextLogView(origin="/logs"),
            rrb.TensorView(origin="/tensor"),
            rrb.BarChartView(origin="/bars"),
            active_tab=0,
        ),
        column_shares=[3, 2],
    ),
    rrb.SelectionPanel(state="collapsed"),
    rrb.TimePanel(state=rrb.PanelState.Collapsed),
)
rr.send_blueprint(blueprint, make_active=True)
rr.log("image", rr.AnnotationContext([(1, "cell", (0, 200, 0))]), static=True)
mask = np.zeros((24, 32), dtype=np.uint8)
mask[4:12, 6:20] = 1
rr.log("image/mask", rr.SegmentationImage(mask))
for frame in range(5):
    rr.set_time("frame", sequence=frame)
    rr.log("image/centers", rr.Points2D([[8 + frame, 8], [16, 10 + frame]], class_ids=1, labels=["a", "b"]))
    rr.log("world/path", rr.LineStrips3D([[[0, 0, 0], [1, frame, 0], [2, 0, frame]]], colors=[[255, 255, 0]]))
