"""On-demand benchmarks: `python -m benchmarks all` (or one name); each writes JSON to
benchmarks/results/<name>.json with the machine, the versions and its figures."""
