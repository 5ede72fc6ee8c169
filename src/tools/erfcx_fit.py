#!/usr/bin/env python3
"""Coefficients of ExactGelu's erfcx polynomial (src/main/java/io/nabla/backend/cpu/ExactGelu.java).

erfcx(w) = exp(w^2) erfc(w) on [0, 6] as a polynomial in v = w - 3: the Chebyshev series of erfcx on [0, 6]
(interpolation at 160 Chebyshev nodes, 60 significant digits), truncated at degree 34 (the next coefficient is below
2^-56), converted to powers of v. Prints the Java constants E34 ... E0 and the largest relative error of their
double-precision FMA Horner evaluation on a grid of 4000 points, in units of 2^-53.
Needs mpmath (Debian: python3-mpmath). Run: python3 src/tools/erfcx_fit.py
"""
import mpmath as mp

from chebyshev import chebyshev, to_powers

mp.mp.dps = 60
DEGREE = 34
NODES = 160


def erfcx(w):
    return mp.exp(w * w) * mp.erfc(w)


c = chebyshev(erfcx, 0, 6, NODES)
assert all(abs(v) < mp.mpf(2) ** -56 for v in c[DEGREE + 1:]), "degree too low"
m = to_powers(c[:DEGREE + 1])
coefficients = [float(m[j] / mp.mpf(3) ** j) for j in range(DEGREE + 1)]  # u = v / 3
print("    // erfcx(3 + v) = sum Ej v^j for |v| <= 3")
for j in reversed(range(DEGREE + 1)):
    print("    private static final double E%d = %r;" % (j, coefficients[j]))
worst = 0
for k in range(4000):
    w = 6.0 * k / 3999
    v = w - 3.0
    h = mp.mpf(coefficients[-1])
    for j in reversed(range(DEGREE)):
        h = mp.mpf(float(h * v + coefficients[j]))  # an FMA: one rounding
    worst = max(worst, abs(h / erfcx(mp.mpf(w)) - 1))
print("    // largest relative error on the grid: %s units of 2^-53" % mp.nstr(worst / mp.mpf(2) ** -53, 4))
