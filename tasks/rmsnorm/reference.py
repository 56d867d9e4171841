import numpy as np


def reference(inputs, sizes):
    x, g = inputs["x"], inputs["g"]
    rms = np.sqrt((x * x).mean(axis=1, keepdims=True) + 1e-5)
    return {"y": x / rms * g[None, :]}
