"""Plain-NumPy preparation of what each scene shows, computed from the engine (no Manim), so it can be unit-tested."""
