"""The desktop viewer (glfw + imgui-bundle + the moderngl renderer).

Modules, one job each:
  app            the App: frame loop, input routing, recordings, selection
  surface        glfw window (OpenGL 3.3 core, HiDPI) or a headless EGL surface
  imgui_backend  imgui draw data -> moderngl (one GL user per context)
  present        the UI onto the window, and captures of it (screenshots, tests)
  views          2D/3D view panels: framebuffer display, cameras, picking, outlines
  hover          pick record -> InstanceInfo (labels, colors, context entity)
  entity_model   the entity tree as rows, expansion, visibility
  timecontrol    timeline, time cursor, playback, stepping
  recording      one open recording and its viewer state
  loader         background file loading with progress
  streams        live TCP recordings
  notifications  toasts + log
  layout         the default dock layout
  theme, keys    look and key mapping
  panels/        entity tree, legend, inspector, time, problems (+ toasts), menu bar,
                 file dialog, overlays (hover tooltip, loading card), shared widgets

Nothing here is imported by `annoview info`; import `annoview.app.viewer.app` to get the App.
"""
