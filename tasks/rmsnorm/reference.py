import numpy as np


def reference(inputs: dict[str, np.ndarray], sizes: dict[str, int]) -> dict[str, np.ndarray]:
    x, g = inputs["x"], inputs["g"]
    rms = np.sqrt((x * x).mean(axis=1, keepdims=True) + 1e-5)
    return {"y": x / rms * g[None, :]}
