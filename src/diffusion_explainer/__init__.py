"""diffusion-explainer: a screenplay turned into a narrated Manim explainer on diffusion models."""
