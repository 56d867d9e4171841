import numpy as np


def reference(inputs: dict[str, np.ndarray], sizes: dict[str, int]) -> dict[str, np.ndarray]:
    x, c, s = inputs["x"], inputs["cos"][:, None, :], inputs["sin"][:, None, :]
    r = c.shape[2]
    x1, x2 = x[..., :r], x[..., r:]
    return {"y": np.concatenate([x1 * c - x2 * s, x2 * c + x1 * s], axis=2)}
