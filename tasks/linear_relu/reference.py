import numpy as np


def reference(inputs, sizes):
    return {"y": np.maximum(inputs["x"] @ inputs["w"] + inputs["b"][None, :], 0.0)}
