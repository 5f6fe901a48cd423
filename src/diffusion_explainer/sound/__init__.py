"""The video's sound design around the narration, synthesised with NumPy/SciPy (nothing to
license, nothing to download):

- score: which chord plays when, a mood per scene (opening, explaining, closing);
- music: the bed, a soft detuned pad playing the score, seeded and exactly the video's length;
- ducking: a side-chain from the narration that lowers the bed under every voice;
- effects: a swell into each scene change, bells for the reveals a scene marks, the finale;
- events: how a scene marks an effect (`ExplainerScene.sound_effect`) and how it is kept;
- mixdown: all of it over the narration at -16 LUFS; limiter: the true-peak limiter in pieces;
- measure, plots: the numbers and pictures that check the result.

It knows nothing of Manim or of the render: it gets sample arrays and scene positions.
"""
