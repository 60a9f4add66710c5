"""Reading the figures of a dashboard.html (each drawn by `abcPlot("<id>", [traces], {layout})`), for tests."""
import base64
import json

import numpy as np


def figure_traces(page: str, div_id: str) -> list[dict]:
    """The traces of the figure drawn into `div_id` (abcPlot("<id>", [traces], layout))."""
    call = page.index("abcPlot(", page.index(f'document.getElementById("{div_id}")'))
    start = page.index("[", page.index(f'"{div_id}"', call))
    traces, _ = json.JSONDecoder().raw_decode(page[start:])
    return traces


def values(array) -> list:
    """A trace's array: a JSON list, or Plotly's typed-array encoding {"dtype", "bdata"}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def figure_layout(page: str, div_id: str) -> dict:
    """The layout of the figure drawn into `div_id`: the object after its traces in abcPlot."""
    call = page.index("abcPlot(", page.index(f'document.getElementById("{div_id}")'))
    start = page.index("[", page.index(f'"{div_id}"', call))
    decoder = json.JSONDecoder()
    _, end = decoder.raw_decode(page[start:])
    rest = page[start + end:]
    layout, _ = decoder.raw_decode(rest[rest.index("{"):])
    return layout
