package io.nabla.autograd;

import io.nabla.backend.Layout;
import io.nabla.backend.LinalgKernels;
import io.nabla.backend.Window2d;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;

/**
 * One 2-D convolution as im2col + GEMM, without autograd (the layouts and loops behind {@link ConvOps#conv2d}).
 * Images are processed in chunks whose column matrix stays under {@link #columnBudget} elements; within a chunk
 * one batched GEMM covers every (image, group) pair. A 1x1 convolution with stride 1 and no padding reads the
 * input as its own column matrix. All tensors passed in are contiguous NCHW.
 *
 * <p>Shapes: input (N, C, H, W), weight (Cout, C/G, kh, kw), output (N, Cout, OH, OW), columns per image
 * (C*kh*kw, OH*OW) seen per group as (CK, L) with CK = C/G*kh*kw and L = OH*OW.
 */
record ConvPlan(int n, int c, int h, int w, int cout, int groups, Window2d win, int oh, int ow) {

    /** Most elements a chunk's column matrix holds by default (16 MiB of FP32). */
    static final long COLUMN_BUDGET = 1 << 22;

    /** The budget in force; tests in this package lower it to run several chunks on small inputs. */
    static volatile long columnBudget = COLUMN_BUDGET;

    int ck() {
        return c / groups * win.taps();
    }

    int l() {
        return oh * ow;
    }

    int coutG() {
        return cout / groups;
    }

    private boolean pointwise() {
        return win.kh() == 1 && win.kw() == 1 && win.sh() == 1 && win.sw() == 1 && win.ph() == 0 && win.pw() == 0;
    }

    private int chunk() {
        long perImage = (long) c * win.taps() * l();
        return (int) Math.max(1, Math.min(n, columnBudget / Math.max(1, perImage)));
    }

    // ---- forward: out = W · cols (+ bias already in out) ----------------------------------------------------

    void forward(Tensor x, Tensor weight, Tensor out, boolean accumulate) {
        LinalgKernels k = x.backend().linalg();
        int chunk = chunk();
        Tensor cols = pointwise() ? null : Tensor.empty(x.dtype(), x.device(), chunk, c * win.taps(), l());
        try {
            for (int n0 = 0; n0 < n; n0 += chunk) {
                int nb = Math.min(chunk, n - n0);
                Tensor src = cols == null ? x : cols;
                Layout b = cols == null ? columnsOfInput(x, n0, nb) : unfold(x, n0, nb, cols);
                k.gemm(1, weight.memory(), weightGroups(weight, nb, false), src.memory(), b, accumulate ? 1 : 0,
                        out.memory(), groupsOf(out, n0, nb), x.dtype());
            }
        } finally {
            free(cols);
        }
    }

    // ---- input gradient: cols = Wᵀ · gOut, then col2im ------------------------------------------------------

    void inputGrad(Tensor gOut, Tensor weight, Tensor gIn) {
        LinalgKernels k = gOut.backend().linalg();
        int chunk = chunk();
        Tensor cols = pointwise() ? null : Tensor.empty(gOut.dtype(), gOut.device(), chunk, c * win.taps(), l());
        try {
            for (int n0 = 0; n0 < n; n0 += chunk) {
                int nb = Math.min(chunk, n - n0);
                Tensor dst = cols == null ? gIn : cols;
                Layout cl = cols == null ? columnsOfInput(gIn, n0, nb) : colsGroups(cols, nb);
                k.gemm(1, weight.memory(), weightGroups(weight, nb, true), gOut.memory(), groupsOf(gOut, n0, nb), 0,
                        dst.memory(), cl, gOut.dtype());
                if (cols != null) {
                    gOut.backend().conv().col2im(cols.memory(), colsLayout(nb), gOut.dtype(), win, gIn.memory(),
                            images(gIn, n0, nb));
                }
            }
        } finally {
            free(cols);
        }
    }

    // ---- weight gradient: gW += gOut[i] · cols[i]ᵀ per image ------------------------------------------------

    void weightGrad(Tensor gOut, Tensor x, Tensor gW) {
        LinalgKernels k = gOut.backend().linalg();
        int chunk = chunk();
        Tensor cols = pointwise() ? null : Tensor.empty(x.dtype(), x.device(), chunk, c * win.taps(), l());
        Layout wl = new Layout(new int[] {groups, coutG(), ck()}, new int[] {coutG() * ck(), ck(), 1},
                gW.offset()); // (G, Cout/G, CK)
        try {
            for (int n0 = 0; n0 < n; n0 += chunk) {
                int nb = Math.min(chunk, n - n0);
                Tensor src = cols == null ? x : cols;
                Layout b = cols == null ? columnsOfInput(x, n0, nb) : unfold(x, n0, nb, cols);
                for (int i = 0; i < nb; i++) {
                    k.gemm(1, gOut.memory(), image(groupsOf(gOut, n0, nb), i), src.memory(),
                            transposed(image(b, i)), 1, gW.memory(), wl, x.dtype());
                }
            }
        } finally {
            free(cols);
        }
    }

    // ---- layouts ---------------------------------------------------------------------------------------------

    /** Runs im2col for images [n0, n0 + nb) into {@code cols}; returns the columns seen per group. */
    private Layout unfold(Tensor x, int n0, int nb, Tensor cols) {
        x.backend().conv().im2col(x.memory(), images(x, n0, nb), x.dtype(), win, cols.memory(), colsLayout(nb));
        return colsGroups(cols, nb);
    }

    /** Images [n0, n0 + nb) of a contiguous NCHW tensor. */
    private static Layout images(Tensor t, int n0, int nb) {
        int[] s = t.shape();
        s[0] = nb;
        int[] st = t.strides();
        return new Layout(s, st, t.offset() + (long) n0 * st[0]);
    }

    private Layout colsLayout(int nb) {
        return Layout.contiguous(nb, c * win.taps(), l());
    }

    /** The column buffer as (nb, G, CK, L). */
    private Layout colsGroups(Tensor cols, int nb) {
        return new Layout(new int[] {nb, groups, ck(), l()}, new int[] {c * win.taps() * l(), ck() * l(), l(), 1},
                cols.offset());
    }

    /** A pointwise convolution's input as its own columns (nb, G, C/G, H*W). */
    private Layout columnsOfInput(Tensor x, int n0, int nb) {
        int hw = h * w;
        return new Layout(new int[] {nb, groups, ck(), hw}, new int[] {c * hw, ck() * hw, hw, 1},
                x.offset() + (long) n0 * c * hw);
    }

    /** Weight (Cout, CK) as (nb, G, Cout/G, CK) repeated over images, or its transpose (nb, G, CK, Cout/G). */
    private Layout weightGroups(Tensor weight, int nb, boolean transpose) {
        int[] shape = transpose ? new int[] {nb, groups, ck(), coutG()} : new int[] {nb, groups, coutG(), ck()};
        int[] strides = transpose ? new int[] {0, coutG() * ck(), 1, ck()} : new int[] {0, coutG() * ck(), ck(), 1};
        return new Layout(shape, strides, weight.offset());
    }

    /** Output-shaped tensor (N, Cout, OH, OW), images [n0, n0 + nb), as (nb, G, Cout/G, L). */
    private Layout groupsOf(Tensor t, int n0, int nb) {
        return new Layout(new int[] {nb, groups, coutG(), l()}, new int[] {cout * l(), coutG() * l(), l(), 1},
                t.offset() + (long) n0 * cout * l());
    }

    /** Entry {@code i} of a layout's first dim, that dim removed. */
    private static Layout image(Layout l, int i) {
        int r = l.rank();
        return new Layout(java.util.Arrays.copyOfRange(l.shape(), 1, r),
                java.util.Arrays.copyOfRange(l.strides(), 1, r), l.offset() + (long) i * l.strides()[0]);
    }

    /** The same elements with the last two dims swapped. */
    private static Layout transposed(Layout l) {
        int[] s = l.shape().clone();
        int[] st = l.strides().clone();
        int r = s.length;
        int t = s[r - 1];
        s[r - 1] = s[r - 2];
        s[r - 2] = t;
        t = st[r - 1];
        st[r - 1] = st[r - 2];
        st[r - 2] = t;
        return new Layout(s, st, l.offset());
    }

    /** Frees a scratch tensor now rather than at the end of the enclosing scope. */
    private static void free(Tensor t) {
        if (t != null) {
            TensorScope.moveTo(t, null);
            t.storage().close();
        }
    }
}
