"""A second benchmark web for discovery, generated from a seed and built unlike sampleweb/.

See generate.py for its structures, serve.py to run it, benchmarks/discovery_bench.py to
measure crawlers against it (issue 20).
"""
