"""A Rerun user's script logging custom values: AnyValues, DynamicArchetype and AnyBatchValue
through rr.log and rr.send_columns, loose component batches described as archetype fields,
columns of other archetypes (Scalars) and partial updates of them."""
import sys

import numpy as np

import annoview as rr
import annoview.components as rc

rr.init("compat_any_values")
rr.save(sys.argv[1])
rr.set_time("frame", sequence=1)
rr.log("sensor", rr.AnyValues(confidence=[1.2, 3.4], description="foo", count=3, flag=True,
                              raw=np.arange(3, dtype=np.uint8), missing=None))
rr.log("robot", rr.DynamicArchetype("Joint", components={"angles": [1.0, 2.0], "name": "elbow"}))
rr.log("sensor/extra", rr.AnyValues(x=1).with_component_from_data("y", [1, 2])
       .with_component_override("z", "rerun.components.Color", [0xFF0000FF]))
rr.log("points", rr.Points2D([[1, 2]]), rr.AnyValues(score=0.5))
rr.log("loose", [rr.AnyBatchValue("reading", [1.5, 2.5])])
rr.log("colored", rr.Points2D([[3, 4], [5, 6]]), [rc.ColorBatch([0x00FF00FF]).described(rr.Points2D.descriptor_colors())])
rr.log("pose", rr.Transform3D.from_fields(translation=[1, 2, 3]))
rr.set_time("frame", sequence=2)
rr.log("sensor", rr.AnyValues(count=4))
rr.log("pose", rr.Transform3D.cleared())

steps = [rr.TimeColumn("step", sequence=[0, 1, 2])]
rr.send_columns("temps", indexes=steps, columns=rr.AnyValues.columns(temp=[20.5, 21.0, 21.5], unit=["C", "C", "C"]))
rr.send_columns("joints", indexes=[rr.TimeColumn("step", sequence=[0, 1])],
                columns=rr.DynamicArchetype.columns("Joint", components={"angles": [1.0, 2.0, 3.0, 4.0]}).partition([3, 1]))
rr.send_columns("raw", indexes=[rr.TimeColumn("step", sequence=[0, 1])], columns=[rr.AnyBatchValue.column("ticks", [5, 6])])
rr.send_columns("plot", indexes=steps, columns=rr.Scalars.columns(scalars=[1.0, 2.0, 3.0]))
rr.send_columns("plot2", indexes=[rr.TimeColumn("step", sequence=[0, 1])],
                columns=[rc.ScalarBatch([1.0, 2.0]).described(rr.Scalars.descriptor_scalars()).partition([1, 1])])
rr.send_columns("dots", indexes=[rr.TimeColumn("step", sequence=[0, 1])],
                columns=[rc.ColorBatch([0xFF0000FF, 0x00FF00FF]).described(rr.Points2D.descriptor_colors()).partition([1, 1]),
                         *rr.Points2D.columns(positions=[[1, 2], [3, 4]])])
