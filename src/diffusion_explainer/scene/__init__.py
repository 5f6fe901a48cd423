"""Everything that runs inside a Manim process: the scene base class scene files subclass, the
skipping and saved states that let a job start mid-scene, the camera, the text layout, the launcher
around Manim's command line with its held-frame encoder and parsed-text cache. Chunk and scene
videos are keyed on this code (render/inputs.py)."""
