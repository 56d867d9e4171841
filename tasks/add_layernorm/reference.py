import numpy as np


def reference(inputs: dict[str, np.ndarray], sizes: dict[str, int]) -> dict[str, np.ndarray]:
    h = inputs["x"] + inputs["r"]
    mu = h.mean(axis=1, keepdims=True)
    var = ((h - mu) ** 2).mean(axis=1, keepdims=True)
    return {"y": (h - mu) / np.sqrt(var + 1e-5) * inputs["g"][None, :] + inputs["b"][None, :]}
