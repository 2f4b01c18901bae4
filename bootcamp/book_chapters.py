"""Sphinx extension: chapter facts shown on pages, and kernels that keep their charts.

Loaded from ``_config.yml`` (``sphinx.extra_extensions``). Notebook kernels started by the build
keep matplotlib's inline backend even when the environment says ``MPLBACKEND=Agg`` (see
:func:`bootcamp.plotting.kernel_environment`), so every ``plt.show()`` in a lesson becomes a
figure on the page.
"""

from __future__ import annotations

from bootcamp.plotting import kernel_environment


def keep_inline_backend(app, config) -> None:
    """Kernels the build starts inherit this process's environment: never ``MPLBACKEND=Agg``."""
    import os

    env = kernel_environment()
    if "MPLBACKEND" not in env:
        os.environ.pop("MPLBACKEND", None)


def setup(app) -> dict[str, bool]:
    app.connect("config-inited", keep_inline_backend)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
