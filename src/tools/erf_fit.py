#!/usr/bin/env python3
"""Coefficients of gelu's centre polynomial in C (GELU_ERF in src/main/native/nabla_loops.h).

erf(z) / z as a polynomial in s = z^2 on [0, 2] (|x| <= 2 for z = x / sqrt 2): the Chebyshev series of erf(sqrt s) /
sqrt s on [0, 2] (interpolation at 40 Chebyshev nodes, 50 significant digits), truncated where the next coefficients
fall below 2^-58 (degree 14), converted to powers of s. Prints the coefficients and the largest relative errors, in units
of 2^-53, of their double evaluation by Estrin's scheme (as the C code sums them: pairs in s, then s^2, s^4, s^8, each
step one FMA) and of 1 + erf(z) = fma(z, P(z^2), 1), on a grid of 4001 points.
Needs mpmath (Debian: python3-mpmath). Run: python3 src/tools/erf_fit.py
"""
import mpmath as mp

from chebyshev import chebyshev, to_powers

mp.mp.dps = 50
S1 = mp.mpf(2)


def f(s):
    if s == 0:
        return 2 / mp.sqrt(mp.pi)
    z = mp.sqrt(s)
    return mp.erf(z) / z


c = chebyshev(f, 0, S1, 40)
degree = next(d for d in range(6, 30) if all(abs(v) < mp.mpf(2) ** -58 for v in c[d + 1:]))
m = to_powers(c[:degree + 1])
powers = [mp.mpf(0)] * (degree + 1)  # u = 2 s / S1 - 1
for k, mk in enumerate(m):
    for i in range(k + 1):
        powers[i] += mk * mp.binomial(k, i) * (2 / S1) ** i * (-1) ** (k - i)
coefficients = [float(v) for v in powers]
print("static const double GELU_ERF[%d] = {" % (degree + 1))
print("    " + ", ".join(repr(v) for v in coefficients) + ",")
print("};")


def fma(a, b, d):
    return float(mp.mpf(a) * mp.mpf(b) + mp.mpf(d))


def estrin(c, s):
    """P(s) as nabla_loops.h's geluCentreU sums it (degree 14)."""
    s2 = float(mp.mpf(s) * s)
    s4 = float(mp.mpf(s2) * s2)
    s8 = float(mp.mpf(s4) * s4)
    p = [fma(c[2 * i + 1], s, c[2 * i]) for i in range(7)]
    q = [fma(p[1], s2, p[0]), fma(p[3], s2, p[2]), fma(p[5], s2, p[4]), fma(c[14], s2, p[6])]
    return fma(fma(q[3], s4, q[2]), s8, fma(q[1], s4, q[0]))


assert degree == 14, "geluCentreU's Estrin steps are written for degree 14"
worst = worst_c = 0
for k in range(4001):
    z = float(mp.mpf(k) / 4000 * mp.sqrt(S1) * (1 if k % 2 else -1))
    s = z * z
    h = estrin(coefficients, s)
    worst = max(worst, abs(mp.mpf(h) / f(mp.mpf(s)) - 1))
    c1 = fma(z, h, 1.0)
    worst_c = max(worst_c, abs(mp.mpf(c1) / (1 + mp.erf(mp.mpf(z))) - 1))
print("// largest relative error on the grid: P %s, 1 + erf %s units of 2^-53" % (
    mp.nstr(worst / mp.mpf(2) ** -53, 4), mp.nstr(worst_c / mp.mpf(2) ** -53, 4)))
