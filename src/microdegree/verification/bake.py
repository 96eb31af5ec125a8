"""Baking lives in the framework-free core, `microdegree.vc.extract.bake`; this name stays for
the web apps that import it."""

from microdegree.vc.extract.bake import bake_png, bake_svg

__all__ = ["bake_png", "bake_svg"]
