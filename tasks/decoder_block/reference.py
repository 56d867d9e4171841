import numpy as np


def reference(inputs: dict[str, np.ndarray], sizes: dict[str, int]) -> dict[str, np.ndarray]:
    x, h, d = inputs["x"], sizes["H"], sizes["D"]

    def rms(z: np.ndarray, g: np.ndarray) -> np.ndarray:
        return z / np.sqrt((z * z).mean(axis=1, keepdims=True) + 1e-5) * g[None, :]

    a = rms(x, inputs["g1"])
    q, k, v = a @ inputs["wq"], a @ inputs["wk"], a @ inputs["wv"]
    n = x.shape[0]
    mask = np.triu(np.full((n, n), -np.inf), 1)
    att = np.empty_like(x)
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        s = q[:, c] @ k[:, c].T / np.sqrt(d) + mask
        p = np.exp(s - s.max(axis=1, keepdims=True))
        att[:, c] = (p / p.sum(axis=1, keepdims=True)) @ v[:, c]
    h1 = x + att @ inputs["wo"]
    f = rms(h1, inputs["g2"]) @ inputs["w1"]
    f = 0.5 * f * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (f + 0.044715 * f**3)))
    return {"y": h1 + f @ inputs["w2"]}
