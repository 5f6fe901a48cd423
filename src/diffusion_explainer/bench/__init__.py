"""`make bench`: the timed runs, the naive baseline scene and the cluster predictions. Nothing in
the package imports it."""
