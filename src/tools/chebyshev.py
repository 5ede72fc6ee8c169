"""Chebyshev interpolation in mpmath, shared by erfcx_fit.py and erf_fit.py."""
import mpmath as mp


def chebyshev(f, a, b, n):
    """The Chebyshev coefficients of f on [a, b] from n Chebyshev nodes (in u = (2x - a - b) / (b - a))."""
    xs = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    fs = [f((b - a) / 2 * x + (b + a) / 2) for x in xs]
    c = [2 * mp.fsum(fs[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n for j in range(n)]
    c[0] /= 2
    return c


def to_powers(c):
    """Coefficients of sum c_k T_k(u) in powers of u."""
    t = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    for k in range(2, len(c)):
        a = [mp.mpf(0)] + [2 * v for v in t[k - 1]]
        b = t[k - 2] + [mp.mpf(0)] * (len(a) - len(t[k - 2]))
        t.append([a[i] - b[i] for i in range(len(a))])
    m = [mp.mpf(0)] * len(c)
    for k in range(len(c)):
        for i, v in enumerate(t[k]):
            m[i] += c[k] * v
    return m
