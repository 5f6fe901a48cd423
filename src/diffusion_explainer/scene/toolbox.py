"""Everything a scene file uses of the project, in one import.

    from diffusion_explainer.scene.toolbox import ExplainerScene, jp, label, style, ...

- the scene base class, `ExplainerScene` (one public method per cue of the screenplay);
- `style`: the colours (style.INK, MUTED, ACCENT, NOISE, NETWORK, PANEL) and the stage layout;
- `tr("ノイズ")`: an on-screen text in the render's language (its English from the gettext
  catalogue locale/en/LC_MESSAGES/scenes.po); `in_render_language(screenplay.title,
  screenplay.en_title)` for a text the screenplay gives in both languages;
- text: `jp`, `label`, `markup`, `number`, `wrapped` (breaks a long caption at Japanese phrase
  boundaries), `mixed` (Japanese with $math$), and the sizes TITLE_EM, HEADING_EM, BODY_EM,
  LABEL_EM, SMALL_EM (fractions of the 8-unit frame height);
- formulas: `formula(*FORWARD_STEP)` and the video's other equations, typeset with the project's
  TeX template;
- pictures of the engine's arrays: `picture`, `picture_card`, `noise_image`, `latent_stack`,
  `vector_grid`;
- diagrams: `box`, `unet`, `coder`, `size_box`, `flow_arrow`, `vector_column`, `caption_under`,
  `row`, `toy_network_note`, `line_plot`;
- `play_section_title(self)`: the scene's heading written large, then moved to its corner;
- motion for the pauses (no still picture while nobody speaks): `highlight_box` (walks along
  a formula's terms), `pulse` (a picture named, its colours kept), `along` (a picture's pages
  travelling along an arrow), `walk` (a highlight stepping over what was said for as long as
  the pause lasts in the render's language);
- `font_size_for(em)`: Manim's font size for a text `em` frame heights tall.

The diffusion pictures and numbers themselves come from `diffusion_explainer.demos` (per scene) and
`diffusion_explainer.engine`; Manim's own classes from `manim`.
"""

from ..core import style
from ..subtitles.band import font_size_for
from ..visuals.catalogue import in_render_language, tr
from ..visuals.charts import line_plot
from ..visuals.diagram import box, caption_under, flow_arrow, row, toy_network_note, unet, vector_column
from ..visuals.formulas import CLOSED_FORM, FORWARD_STEP, GUIDANCE, LOSS, REVERSE_STEP, formula
from ..visuals.latents import coder, latent_stack, size_box
from ..visuals.mixed_text import mixed
from ..visuals.motion import along, highlight_box, pulse, walk
from ..visuals.pictures import noise_image, picture, picture_card
from ..visuals.sections import play_section_title
from ..visuals.text import BODY_EM, HEADING_EM, LABEL_EM, SMALL_EM, TITLE_EM, jp, label, markup, number, wrapped
from ..visuals.vectors import vector_grid
from .explainer_scene import ExplainerScene

__all__ = [
    "ExplainerScene", "style", "font_size_for", "tr", "in_render_language",
    "jp", "label", "markup", "number", "wrapped", "mixed", "TITLE_EM", "HEADING_EM", "BODY_EM", "LABEL_EM", "SMALL_EM",
    "formula", "FORWARD_STEP", "CLOSED_FORM", "LOSS", "REVERSE_STEP", "GUIDANCE",
    "picture", "picture_card", "noise_image", "latent_stack", "vector_grid",
    "box", "unet", "coder", "size_box", "flow_arrow", "vector_column", "caption_under", "row", "toy_network_note",
    "line_plot", "play_section_title", "highlight_box", "pulse", "along", "walk",
]
