"""Jupyter views: thin anywidgets over the core. Python decides what to draw and sends it as
binary buffers reduced to screen resolution; the JS side of each view (``js/views/<same name>.js``)
only draws."""

from .depth_chart import DepthChart

__all__ = ["DepthChart"]
