"""Speed and memory measurements (not timed tests); `make bench` runs them all into BENCHMARKS.md."""
