"""One look for every chart in the course: color-blind-safe colors, readable text, no chart junk.

Lessons call :func:`use_course_style` once; the colors come from the Okabe-Ito palette, which stays
distinguishable under the common forms of color blindness and in grayscale print.
"""

from __future__ import annotations

import matplotlib as mpl

#: Okabe & Ito (2008), "Color Universal Design"; black left out of the cycle.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "gray": "#999999",
}
PALETTE = [
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "sky_blue",
        "reddish_purple",
        "yellow",
        "gray",
    )
]

#: Conventional party colors, chosen from the same palette so they stay color-blind safe.
PARTY_COLORS = {
    "DEM": OKABE_ITO["blue"],
    "REP": OKABE_ITO["vermillion"],
    "UNA": OKABE_ITO["gray"],
    "LIB": OKABE_ITO["orange"],
    "GRE": OKABE_ITO["bluish_green"],
}


def use_course_style() -> None:
    """Apply the course's matplotlib defaults (palette, sizes, light grid, no top/right spines)."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "figure.figsize": (7, 4),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.frameon": False,
        }
    )


#: Where Jupyter kernels show charts: ipykernel picks this inline backend itself, unless the
#: environment's ``MPLBACKEND`` says otherwise.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def kernel_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment to start a notebook kernel with, so that charts appear in the notebook.

    Scripts and tests may set ``MPLBACKEND=Agg`` (draw to files, no window). A kernel that inherits
    it draws nothing on ``plt.show()``: an executed lesson would lose its figures. This returns a
    copy of ``environ`` (default ``os.environ``) without a non-inline ``MPLBACKEND``, so the kernel
    chooses its own inline backend.
    """
    import os

    env = dict(os.environ if environ is None else environ)
    if env.get("MPLBACKEND", INLINE_BACKEND) != INLINE_BACKEND:
        del env["MPLBACKEND"]
    return env
