"""PyAV in and out: joining videos, probing them, reading stills, writing caption files."""
