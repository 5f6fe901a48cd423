"""Formulas through LaTeX, with a template that needs only texlive-latex-base (not the
`standalone` class of Manim's default, which needs texlive-latex-extra)."""

from __future__ import annotations

import functools

from manim import MathTex, TexTemplate

from ..core import style


@functools.lru_cache(maxsize=1)
def tex_template() -> TexTemplate:
    return TexTemplate(
        documentclass=r"\documentclass{article}",
        preamble=r"\usepackage[english]{babel}\usepackage{amsmath}\usepackage{amssymb}\pagestyle{empty}",
    )


def formula(*tex: str, color: str = style.INK, **kwargs) -> MathTex:
    return MathTex(*tex, tex_template=tex_template(), color=color, **kwargs)


# The screenplay's formulas, split into parts a scene can colour or point at.
FORWARD_STEP = (r"q(x_t \mid x_{t-1})", "=", r"\mathcal{N}\big(x_t;\ ", r"\sqrt{1-\beta_t}\,x_{t-1}", r",\ ", r"\beta_t \mathbf{I}", r"\big)")
CLOSED_FORM = (r"x_t", "=", r"\sqrt{\bar\alpha_t}\,x_0", "+", r"\sqrt{1-\bar\alpha_t}\,\epsilon")
# The loss is the mean over the D values of a picture (DDPM's "simple" loss, as the engine logs it)
LOSS = (r"L", "=", r"\tfrac{1}{D}", r"\lVert", r"\epsilon", "-", r"\hat\epsilon_\theta(x_t, t)", r"\rVert^2")
REVERSE_STEP = (r"x_{t-1}", "=", r"\frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\hat\epsilon_\theta(x_t,t)\Big)", "+", r"\sigma_t z")
GUIDANCE = (r"\tilde\epsilon", "=", r"\hat\epsilon(x_t, \varnothing)", "+", "s", r"\big(\hat\epsilon(x_t, c) - \hat\epsilon(x_t, \varnothing)\big)")
