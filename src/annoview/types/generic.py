"""Table-driven archetypes: every Rerun archetype annoview records as components.

Why: a Rerun script logs dozens of archetypes annoview does not draw (yet). Each is defined by one
`define(...)` entry (rerun_archetypes.py): its Rerun call signature as text, its fields with their
Rerun component types, and, only where Rerun's arguments are not the fields themselves, a small
`prepare` function mapping arguments to field values. Construction converts every given field
with convert.to_arrow into Rerun's exact Arrow type, so recording, `.avr` storage and `.rrd`
export need no per-archetype code.

DATA CONTRACT (relied on by the scene layer and others): a field is recorded as the column
`Archetype:field` (e.g. `Transform3D:translation`, `Boxes3D:half_sizes`) of Rerun's Arrow type
with `rerun:archetype/component/component_type` field metadata. Read back, `CellRef.value` of such
a cell is a numpy array when the type is a numeric primitive ((n,)) or a fixed-size list of
numbers ((n, k), dtype kept: float32 for vectors, column-major 3x3 matrices as (n, 9)), otherwise
the pyarrow Array of the cell's instances.

Non-strict mode: a bad optional field is dropped with a warning, a bad required one drops the
archetype (as for annoview's own archetypes); strict mode raises.
"""
from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

import pyarrow as pa

from ..errors import ValidationError
from ..strict import checked
from .archetypes import Archetype
from .batches import ArrowBatch, ComponentDescriptor, DescribedComponentBatch
from .convert import Native, to_arrow
from .kinds import Kind, register_component_type

Prepare = Callable[[dict[str, Any]], dict[str, Any]]

# Every generic archetype class by name (rr.archetypes and the top level resolve names here).
REGISTRY: dict[str, type["GenericArchetype"]] = {}


class _AllArrow(dict):
    """field_kinds of a generic archetype: every field is stored as Kind.ARROW."""

    def __missing__(self, key: str) -> Kind:
        return Kind.ARROW


class GenericArchetype(Archetype, Native):
    """Base of table-defined archetypes; see the module doc."""

    archetype_name: ClassVar[str] = ""
    fields: ClassVar[dict[str, str]] = {}  # field -> Rerun component name, in Rerun's order
    required: ClassVar[tuple[str, ...]] = ()
    drawn: ClassVar[bool] = False  # the scene layer draws it (no "recorded, not drawn" warning)
    field_kinds: ClassVar[dict[str, Kind]] = _AllArrow()
    _prepare: ClassVar[Prepare | None] = None

    def _fill(self, args: dict[str, Any]) -> None:
        name = self.archetype_name
        values: dict[str, Any] | None = args
        prepare = type(self)._prepare
        if prepare is not None:
            consequence = f"{name} not logged"
            values = checked(lambda: _guard(name, "", lambda: prepare(dict(args))), consequence)
            if values is None:
                self.invalid = consequence
                return
        assert values is not None
        for field, component in self.fields.items():
            value = values.get(field)
            if value is None:
                if field in self.required:
                    self._required(field, lambda f=field: _missing(name, f))
                continue
            convert = (lambda c=component, v=value, f=field: _guard(name, f, lambda: to_arrow(c, v, (name, f))))
            if field in self.required:
                self._required(field, convert)
            else:
                self._set(field, convert)

    def __getattr__(self, name: str) -> Any:
        fields = type(self).fields
        if name in fields:
            arr = self.__dict__.get("components", {}).get(name)
            return None if arr is None else ArrowBatch(arr, fields[name])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        from .display import short_value

        parts = ", ".join(f"{k}={short_value(v, 60)}" for k, v in self.components.items())
        return f"{self.archetype_name}({parts})"

    def _native(self) -> Any:
        """A one-field archetype stands for its value (Rerun's rr.ViewCoordinates.RDF is a component)."""
        if len(self.fields) == 1 and len(self.components) == 1:
            return next(iter(self.components.values()))
        raise ValidationError(self.archetype_name, "", "an archetype is not a component value")

    @classmethod
    def archetype(cls) -> str:
        return f"rerun.archetypes.{cls.archetype_name}"

    @classmethod
    def archetype_short_name(cls) -> str:
        return cls.archetype_name

    @classmethod
    def _descriptor(cls, field: str) -> ComponentDescriptor:
        return ComponentDescriptor(f"{cls.archetype_name}:{field}", archetype=cls.archetype(),
                                   component_type=f"rerun.components.{cls.fields[field]}")

    def as_component_batches(self) -> list[DescribedComponentBatch]:
        return [DescribedComponentBatch(ArrowBatch(arr, self.fields[f]), self._descriptor(f))
                for f, arr in self.components.items()]

    @classmethod
    def field_arrow(cls, field: str, value: Any) -> pa.Array:
        """One field's value converted as the constructor converts it (for columnar logging)."""
        return to_arrow(cls.fields[field], value, (cls.archetype_name, field))

    # the per-field hooks of Archetype.from_fields / cleared / columns
    @classmethod
    def field_names(cls) -> list[str]:
        return list(cls.fields)

    @classmethod
    def encode_field(cls, field: str, value: Any) -> Any:
        cls.field_kind(field)  # unknown field: ValidationError
        return cls.field_arrow(field, value)

    @classmethod
    def empty_field(cls, field: str) -> Any:
        cls.field_kind(field)
        return cls.field_arrow(field, [])


def _guard(archetype: str, field: str, fn: Callable[[], Any]) -> Any:
    """Any failure while converting user input becomes a ValidationError, so non-strict mode
    drops the field (or the archetype) with a warning instead of raising into the script."""
    try:
        return fn()
    except ValidationError:
        raise
    except Exception as e:  # numpy/pyarrow/user-object errors on odd input
        detail = " ".join(str(e).split())[:300]  # one line, whatever the library said
        raise ValidationError(archetype, field, f"cannot be recorded: {type(e).__name__}: {detail}") from None


def _missing(archetype: str, field: str) -> Any:
    raise ValidationError(archetype, field, "is required")


class Binder:
    """Binds call arguments to a signature's parameters like `Signature.bind` + `apply_defaults`,
    at a fraction of its cost (archetypes are built once per log call in hot loops)."""

    def __init__(self, sig: inspect.Signature) -> None:
        params = [p for p in sig.parameters.values() if p.name != "self"]
        self.positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        self.names = frozenset(p.name for p in params)
        self.defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
        self.required = [p.name for p in params if p.default is inspect.Parameter.empty]

    def bind(self, owner: str, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) > len(self.positional):
            raise TypeError(f"{owner}() takes {len(self.positional)} positional argument(s) but {len(args)} were given")
        values = dict(self.defaults)
        values.update(zip(self.positional, args))
        for k, v in kwargs.items():
            if k not in self.names:
                raise TypeError(f"{owner}() got an unexpected keyword argument {k!r}")
            if k in self.positional[:len(args)]:
                raise TypeError(f"{owner}() got multiple values for argument {k!r}")
            values[k] = v
        if len(values) < len(self.names):
            missing = [n for n in self.required if n not in values]
            raise TypeError(f"{owner}() missing required argument(s): {', '.join(map(repr, missing))}")
        return values


def signature(params: str) -> inspect.Signature:
    """An inspect.Signature from Python parameter text ("a, *, b=None"), self first."""
    tree = ast.parse(f"def f(self, {params}): pass").body[0]
    assert isinstance(tree, ast.FunctionDef)
    a = tree.args
    out = []
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(pos, defaults):
        out.append(inspect.Parameter(arg.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                     default=inspect.Parameter.empty if d is None else ast.literal_eval(d)))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append(inspect.Parameter(arg.arg, inspect.Parameter.KEYWORD_ONLY,
                                     default=inspect.Parameter.empty if d is None else ast.literal_eval(d)))
    return inspect.Signature(out)


def define(name: str, params: str, fields: dict[str, str], *, required: tuple[str, ...] = (),
           prepare: Prepare | None = None, drawn: bool = False, doc: str = "") -> type[GenericArchetype]:
    """Create (and register) the archetype class `name` with Rerun's call signature `params`."""
    sig = signature(params)
    binder = Binder(sig)

    def __init__(self: GenericArchetype, *args: Any, **kwargs: Any) -> None:
        values = binder.bind(name, args, kwargs)  # wrong arguments: TypeError, as in Python/Rerun
        Archetype.__init__(self)
        self._fill(values)

    __init__.__signature__ = sig  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{name}.__init__"
    ns: dict[str, Any] = {
        "__init__": __init__, "__doc__": doc or f"Rerun's {name} archetype, recorded as components.",
        "__module__": "annoview.archetypes", "archetype_name": name, "fields": dict(fields),
        "required": tuple(required), "drawn": drawn, "_prepare": staticmethod(prepare) if prepare else None,
        "NAME": f"rerun.archetypes.{name}",
    }
    for field in fields:
        ns[f"descriptor_{field}"] = classmethod(lambda cls, f=field: cls._descriptor(f))
    cls = type(name, (GenericArchetype,), ns)
    for field, component in fields.items():
        register_component_type(name, field, component)
    REGISTRY[name] = cls
    return cls


__all__ = ["GenericArchetype", "REGISTRY", "Binder", "define", "signature"]
