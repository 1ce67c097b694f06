"""tcpsim_plot: the code of tools/plot (installed as tcpsim-plot), pictures from tcpsim traces and
sweep statistics; tools/plot parses the command line and calls one module per subcommand.

  trace    reading traces and statistics files; what a file of the wrong kind is; PlotError
  events   selecting from a trace's events (segments of a connection, who sends data, a window)
  output   what a subcommand prints per data series, and writing the figure
  ladder   the sequence (ladder) diagram of a connection's first segments
  timeseq  the time-sequence graph (Stevens)
  cwnd     cwnd, ssthresh, flight, SRTT and RTO over time
  units    quantities and units of metrics and parameters, for the sweep's axes
  sweep    a sweep metric against a swept parameter

Importing the package selects matplotlib's Agg backend (no display needed) before pyplot is
imported, and makes its SVG output reproducible.
"""
import matplotlib

matplotlib.use("Agg")
# Identical input, identical file: no dates or hash salts in SVG/PDF, no version in PNG.
matplotlib.rcParams["svg.hashsalt"] = "tcpsim"
