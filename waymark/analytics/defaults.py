"""Defaults of the analyses that their callers show too, e.g. in `waymark --help`.

This module imports nothing, so a caller can read them without loading numpy, scipy or igraph.
"""

# Near repeats (near_repeat.py): Monte Carlo runs of the Knox test.
DEFAULT_RUNS = 99

# Peer groups (peer_groups.py). CPM: the link density (in typical-link units) that separates "in a
# group" from "between groups". Modularity, if chosen: a resolution of 1 is the textbook one.
DEFAULT_DENSITY = 0.05
DEFAULT_MODULARITY_RESOLUTION = 1.0
# Leiden iterations, by default: each iteration starts from the groups the last one found, and
# iterating stops once an iteration improves the objective by less than CONVERGED (relative), or
# after MAX_ITERATIONS. With CPM it also stops, without running another iteration, once moving
# single people could add less than CONVERGED in total. Every iteration guarantees
# well-connected groups; further ones move people between groups while that still pays.
CONVERGED = 1e-3
MAX_ITERATIONS = 10
# Groups smaller than this are not groups: their members are reported as ungrouped.
MIN_GROUP_SIZE = 3
