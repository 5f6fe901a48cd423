"""From the screenplay to integer frames, with no Manim: the timeline of each scene, the syncs to
named lines and phrases, the plans of a scene and of the whole video, and the hand-over files
between the render and a scene process."""
