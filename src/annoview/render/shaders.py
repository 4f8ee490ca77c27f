"""Shader loading: GLSL files from the `annoview.shaders` package, a tiny `#include`, cached programs.

Shaders live as `.glsl` files (never Python strings) so they ship in the wheel and can be read
and edited as GLSL. `#include "name.glsl"` pastes another file once (include guards by name);
variants are selected with `#define`s inserted right after the `#version` line. Programs are
cached per context and per (vertex, fragment, defines), so variant switches cost nothing after
the first use.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Iterable

import moderngl

_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$', re.MULTILINE)


@lru_cache(maxsize=None)
def read_shader_file(name: str) -> str:
    """Raw text of shaders/<name> from the installed package."""
    return files("annoview.shaders").joinpath(name).read_text(encoding="utf-8")


def _expand(name: str, seen: set[str]) -> str:
    if name in seen:
        return f"// {name} already included\n"
    seen.add(name)
    text = read_shader_file(name)

    def repl(m: re.Match[str]) -> str:
        return f"// begin {m.group(1)}\n{_expand(m.group(1), seen)}// end {m.group(1)}\n"

    return _INCLUDE.sub(repl, text)


def load_shader_source(name: str, defines: Iterable[str] = ()) -> str:
    """Source of shaders/<name> with includes resolved and `#define`s after `#version`."""
    text = _expand(name, set())
    lines = text.split("\n")
    if not lines or not lines[0].startswith("#version"):
        raise ValueError(f"shader {name} must start with a #version line")
    extra = [f"#define {d}" for d in sorted(defines)]
    return "\n".join([lines[0], *extra, "#line 2", *lines[1:]])


class ShaderLibrary:
    """Compiled programs for one context, keyed by (vertex file, fragment file, defines)."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._programs: dict[tuple[str, str, frozenset[str]], moderngl.Program] = {}

    def program(self, vertex: str, fragment: str, defines: Iterable[str] = ()) -> moderngl.Program:
        """The program for `shaders/<vertex>.vert.glsl` + `shaders/<fragment>.frag.glsl`."""
        key = (vertex, fragment, frozenset(defines))
        prog = self._programs.get(key)
        if prog is None:
            prog = self.ctx.program(
                vertex_shader=load_shader_source(f"{vertex}.vert.glsl", key[2]),
                fragment_shader=load_shader_source(f"{fragment}.frag.glsl", key[2]),
            )
            self._programs[key] = prog
        return prog

    def release(self) -> None:
        for prog in self._programs.values():
            prog.release()
        self._programs.clear()


def set_uniform(prog: moderngl.Program, name: str, value: object) -> None:
    """Set a uniform if the compiler kept it (unused uniforms are optimized away)."""
    member = prog.get(name, None)
    if member is None:
        return
    if isinstance(value, (bytes, bytearray, memoryview)):
        member.write(value)
    else:
        member.value = value
