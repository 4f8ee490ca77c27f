"""How image bytes are laid out: Rerun's ChannelDatatype, ColorModel and PixelFormat enums (same
members and codes as rerun-sdk 0.41, so `.rrd` import/export is a mapping) and the ImageFormat
record (`{width, height, pixel_format, color_model, channel_datatype}`) stored next to the bytes.
"""
from __future__ import annotations

import enum
from typing import Any

import numpy as np

from ..errors import ValidationError


class _RerunEnum(enum.Enum):
    """Rerun's enum conveniences: `auto(value)` takes a member, its code or its name in any case,
    and `str(member)` is the bare name."""

    @classmethod
    def auto(cls, val: Any) -> Any:
        if isinstance(val, cls):
            return val
        if isinstance(val, (int, np.integer)) and not isinstance(val, bool):
            try:
                return cls(int(val))
            except ValueError:
                pass
        elif isinstance(val, str):
            for member in cls:
                if member.name.lower() == val.lower():
                    return member
        raise ValueError(f"Cannot convert {val} to {cls.__name__}")

    def __str__(self) -> str:
        return self.name


class ChannelDatatype(_RerunEnum):
    """The numeric type of one channel of one pixel."""

    U8 = 6
    I8 = 7
    U16 = 8
    I16 = 9
    U32 = 10
    I32 = 11
    U64 = 12
    I64 = 13
    F16 = 33
    F32 = 34
    F64 = 35

    @classmethod
    def from_np_dtype(cls, dtype: Any) -> "ChannelDatatype":
        code = CHANNEL_DATATYPES.get(np.dtype(dtype).name)
        if code is None:
            raise ValueError(f"Unsupported dtype {np.dtype(dtype)} for an image channel")
        return cls(code)

    def to_np_dtype(self) -> type:
        return DTYPE_OF_CHANNEL[self.value].type


class ColorModel(_RerunEnum):
    """How many channels a pixel has and what they mean."""

    L = 1
    RGB = 2
    RGBA = 3
    BGR = 4
    BGRA = 5

    def num_channels(self) -> int:
        return CHANNELS_OF_MODEL[self.value]


class PixelFormat(_RerunEnum):
    """Chroma-subsampled and other packed layouts (YUV, Bayer); pixel_format excludes
    color_model and channel_datatype in an ImageFormat."""

    Y_U_V12_LimitedRange = 20
    NV12 = 26
    YUY2 = 27
    Y8_FullRange = 30
    Y_U_V24_LimitedRange = 39
    Y_U_V24_FullRange = 40
    Y8_LimitedRange = 41
    Y_U_V12_FullRange = 44
    Y_U_V16_LimitedRange = 49
    Y_U_V16_FullRange = 50
    BayerRGGB8 = 128
    BayerBGGR8 = 129
    BayerGBRG8 = 130
    BayerGRBG8 = 131


CHANNEL_DATATYPES: dict[str, int] = {
    "uint8": 6, "int8": 7, "uint16": 8, "int16": 9, "uint32": 10, "int32": 11, "uint64": 12,
    "int64": 13, "float16": 33, "float32": 34, "float64": 35,
}
DTYPE_OF_CHANNEL: dict[int, np.dtype] = {code: np.dtype(name) for name, code in CHANNEL_DATATYPES.items()}
COLOR_MODEL_L, COLOR_MODEL_RGB, COLOR_MODEL_RGBA, COLOR_MODEL_BGR, COLOR_MODEL_BGRA = 1, 2, 3, 4, 5
CHANNELS_OF_MODEL: dict[int, int] = {1: 1, 2: 3, 3: 4, 4: 3, 5: 4}
MODEL_OF_CHANNELS: dict[int, int] = {1: COLOR_MODEL_L, 3: COLOR_MODEL_RGB, 4: COLOR_MODEL_RGBA}

# Bytes of a width x height image per pixel format, times 2 (4:2:0 formats use 1.5 bytes/pixel).
_TWICE_BYTES_PER_PIXEL: dict[int, int] = {
    20: 3, 44: 3, 26: 3, 27: 4, 30: 2, 41: 2, 39: 6, 40: 6, 49: 4, 50: 4, 128: 2, 129: 2, 130: 2, 131: 2,
}


def pixel_format_bytes(pixel_format: int, width: int, height: int) -> int | None:
    """Buffer size a pixel format needs (None for a code annoview does not know)."""
    twice = _TWICE_BYTES_PER_PIXEL.get(int(pixel_format))
    return None if twice is None else width * height * twice // 2


def image_format(width: int, height: int, *, channel_datatype: int | None = None, color_model: int | None = None,
                 pixel_format: int | None = None) -> list[dict]:
    """The stored ImageFormat cell (one instance)."""
    return [{"width": int(width), "height": int(height), "pixel_format": pixel_format, "color_model": color_model,
             "channel_datatype": channel_datatype}]


def parse_enum(cls: type[_RerunEnum], value: Any, archetype: str, field: str) -> int:
    """A member, code or name of one of the enums above -> its code; one clear error otherwise."""
    try:
        return int(cls.auto(value).value)
    except ValueError:
        names = ", ".join(m.name for m in cls)
        raise ValidationError(archetype, field, f"cannot read {value!r:.40} as rr.{cls.__name__} ({names})") from None


def parse_datatype(value: Any, archetype: str, field: str = "datatype") -> int:
    """`datatype=` as rerun-sdk takes it: a ChannelDatatype, its code or name, or a numpy dtype/type."""
    if isinstance(value, (type, np.dtype)) and not (isinstance(value, type) and issubclass(value, enum.Enum)):
        try:
            return ChannelDatatype.from_np_dtype(value).value
        except (TypeError, ValueError) as e:
            raise ValidationError(archetype, field, str(e)) from None
    return parse_enum(ChannelDatatype, value, archetype, field)


__all__ = [
    "ChannelDatatype", "ColorModel", "PixelFormat", "CHANNEL_DATATYPES", "DTYPE_OF_CHANNEL", "CHANNELS_OF_MODEL",
    "image_format", "pixel_format_bytes", "parse_enum", "parse_datatype",
]
