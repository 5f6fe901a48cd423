"""The video's shared visual pieces (Manim mobjects): text, pictures from the engine, diagram
boxes and arrows, section titles and plots. Scenes compose these; they never restyle them."""
