import numpy as np


def reference(inputs, sizes):
    x = inputs["x"]
    return {"y": x / (1.0 + np.exp(-x))}
