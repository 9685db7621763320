"""The lead-operation simulator (entry point: ``run.simulate``; see ``run``'s docstring).

- ``run``: the API, the summary, worker processes; ``plan``: submission times, placements, caps
  and chunks; ``day_files``: the merged per-day NDJSON files.
- The operation: ``world`` (constants and entity classes), ``operation`` (``build_world``),
  ``recipients``, ``flows``.
- Lead values: ``value_tables``, ``values`` (raw values and parsed objects), ``person``.
- One chunk of leads: ``chunk`` -> ``lead`` -> ``steps`` (``filters``, ``enhancements``,
  ``deliveries``), ``source_event``, ``retries``, ``feedback``; written by ``submissions`` and
  ``output`` (with ``faults``); ``context`` holds what they share.
"""
