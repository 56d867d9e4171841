import numpy as np


def reference(inputs: dict[str, np.ndarray], sizes: dict[str, int]) -> dict[str, np.ndarray]:
    x, w = inputs["x"], inputs["w"]
    kh, kw = w.shape[:2]
    oh, ow = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    y = np.zeros((oh, ow, x.shape[2]))
    for i in range(kh):
        for j in range(kw):
            y += x[i : i + oh, j : j + ow] * w[i, j]
    return {"y": y}
