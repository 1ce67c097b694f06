"""What every subcommand prints and writes: "plot: SUB: SERIES: N points" per data series, then
the figure, in the format its extension says, without dates or versions in it."""
import matplotlib.pyplot as plt

from .trace import PlotError

DPI = 100


def series(sub, name, n):
    print("plot: %s: %s: %d points" % (sub, name, n))
    return n


def save(fig, path):
    kinds = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
    ext = path.rsplit(".", 1)[-1].lower()
    if ext not in kinds:
        raise PlotError("output must end in .png, .svg or .pdf: %s" % path)
    try:
        fig.savefig(path, dpi=DPI, metadata=kinds[ext])
    except OSError as e:
        raise PlotError("%s: cannot write it: %s" % (path, e.strerror or e))
    plt.close(fig)
    print("plot: wrote %s" % path)
