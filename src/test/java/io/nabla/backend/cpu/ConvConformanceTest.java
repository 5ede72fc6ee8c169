package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ConvOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Window2d;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU conv kernels (im2col, col2im, pooling forward and backward) and the whole conv2d op (forward and
 * gradients) against the reference backend, over FP32/FP64 and contiguous or channels-last inputs.
 */
class ConvConformanceTest {

    private static final Window2d[] WINDOWS = {
        new Window2d(3, 3, 1, 1, 1, 1, 1, 1),
        new Window2d(2, 3, 2, 1, 1, 0, 1, 1),
        new Window2d(3, 3, 2, 2, 2, 2, 2, 2),
        new Window2d(2, 2, 2, 2, 0, 0, 1, 1),
    };

    /** Pooling windows of ceil mode (last windows partial on the 7 x 6 images), one with dilation (max pooling's). */
    private static final Window2d[] CEIL_POOLS = {
        new Window2d(2, 2, 2, 2, 0, 0, 1, 1, true),
        new Window2d(3, 3, 2, 2, 1, 1, 1, 1, true),
        new Window2d(3, 2, 2, 3, 1, 0, 2, 1, true),
    };

    /** Random (N, C, H, W) data, contiguous or channels-last (a permuted view of (N, H, W, C)). */
    private static Tensor images(Random rnd, DType dt, boolean channelsLast, int n, int c, int h, int w) {
        double[] v = new double[n * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        if (!channelsLast) {
            return Tensor.of(v, dt, n, c, h, w);
        }
        return ShapeOps.permute(Tensor.of(v, dt, n, h, w, c), 0, 3, 1, 2);
    }

    @TestFactory
    Stream<DynamicTest> kernelsMatchReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : new DType[] {DType.FP32, DType.FP64}) {
            for (boolean cl : new boolean[] {false, true}) {
                for (int wi = 0; wi < WINDOWS.length; wi++) {
                    Window2d w = WINDOWS[wi];
                    String where = dt.torchName() + (cl ? " channels-last" : " contiguous") + " window " + w;
                    tests.add(DynamicTest.dynamicTest("im2col/col2im " + where, () -> columns(dt, cl, w, where)));
                    Window2d pool = Window2d.of(w.kh(), w.kw(), w.sh(), w.sw(), Math.min(w.ph(), w.kh() / 2),
                            Math.min(w.pw(), w.kw() / 2));
                    tests.add(DynamicTest.dynamicTest("pools " + where, () -> pools(dt, cl, pool, where)));
                }
                for (Window2d pool : CEIL_POOLS) {
                    String where = dt.torchName() + (cl ? " channels-last" : " contiguous") + " window " + pool;
                    tests.add(DynamicTest.dynamicTest("pools " + where, () -> pools(dt, cl, pool, where)));
                }
            }
        }
        return tests.stream();
    }

    private static void columns(DType dt, boolean cl, Window2d w, String where) {
        Tensor x = images(new Random(1), dt, cl, 2, 3, 7, 6);
        int rows = 3 * w.taps();
        int l = w.outHeight(7) * w.outWidth(6);
        Tensor[] cols = onBoth(b -> {
            Tensor out = Tensor.empty(dt, 2, rows, l);
            b.conv().im2col(x.memory(), x.layout(), dt, w, out.memory(), out.layout());
            return out;
        });
        same("im2col " + where, cols[0], cols[1]);
        Tensor[] back = onBoth(b -> {
            Tensor out = Tensor.full(7, dt, 2, 3, 7, 6);
            b.conv().col2im(cols[0].memory(), cols[0].layout(), dt, w, out.memory(), out.layout());
            return out;
        });
        same("col2im " + where, back[0], back[1]);
    }

    private static void pools(DType dt, boolean cl, Window2d w, String where) {
        pools(images(new Random(2), dt, cl, 2, 3, 7, 6), dt, w, where);
        Tensor tied = ShapeOps.permute(Tensor.of(new Random(6).doubles(2 * 3 * 7 * 6, 0, 3).map(Math::floor)
                .toArray(), dt, 2, 7, 6, 3), 0, 3, 1, 2); // values 0, 1, 2: many ties
        pools(cl ? tied : tied.dataCopy(), dt, w, "tied values " + where);
    }

    private static void pools(Tensor x, DType dt, Window2d w, String where) {
        int[] os = {2, 3, w.outHeight(7), w.outWidth(6)};
        Tensor g = images(new Random(3), dt, false, os[0], os[1], os[2], os[3]);
        Tensor[] indices = {Tensor.empty(DType.INT64, os), Tensor.empty(DType.INT64, os)};
        Tensor[] max = new Tensor[2];
        Backend[] backends = {Backends.reference(), Backends.cpu()};
        for (int i = 0; i < 2; i++) {
            max[i] = Tensor.empty(dt, os);
            backends[i].conv().maxPool2d(x.memory(), x.layout(), dt, w, max[i].memory(), max[i].layout(),
                    indices[i].memory(), indices[i].layout());
        }
        same("max_pool2d " + where, max[0], max[1]);
        same("max_pool2d indices " + where, indices[0], indices[1]);
        Tensor idx = indices[1];
        same("max_pool2d backward " + where, onBoth(b -> {
            Tensor gi = Tensor.full(5, dt, 2, 3, 7, 6);
            b.conv().maxPool2dBackward(g.memory(), g.layout(), idx.memory(), idx.layout(), dt, gi.memory(),
                    gi.layout());
            return gi;
        }));
        for (boolean include : new boolean[] {true, false}) {
            same("avg_pool2d include_pad=" + include + " " + where, onBoth(b -> {
                Tensor out = Tensor.empty(dt, os);
                b.conv().avgPool2d(x.memory(), x.layout(), dt, w, include, out.memory(), out.layout());
                return out;
            }));
            same("avg_pool2d backward include_pad=" + include + " " + where, onBoth(b -> {
                Tensor gi = Tensor.empty(dt, 2, 3, 7, 6);
                b.conv().avgPool2dBackward(g.memory(), g.layout(), dt, w, include, gi.memory(), gi.layout());
                return gi;
            }));
        }
        same("adaptive_avg_pool2d " + where, onBoth(b -> {
            Tensor out = Tensor.empty(dt, 2, 3, 4, 5);
            b.conv().adaptiveAvgPool2d(x.memory(), x.layout(), dt, out.memory(), out.layout());
            return out;
        }));
        Tensor ga = images(new Random(4), dt, !x.isContiguous(), 2, 3, 4, 5);
        same("adaptive_avg_pool2d backward " + where, onBoth(b -> {
            Tensor gi = Tensor.empty(dt, 2, 3, 7, 6);
            b.conv().adaptiveAvgPool2dBackward(ga.memory(), ga.layout(), dt, gi.memory(), gi.layout());
            return gi;
        }));
    }

    @TestFactory
    Stream<DynamicTest> conv2dOpMatchesReference() {
        List<DynamicTest> tests = new ArrayList<>();
        int[][] args = { // N, C, H, W, Cout, k, stride, pad, dilation, groups
            {2, 3, 8, 7, 4, 3, 1, 1, 1, 1},
            {3, 4, 9, 9, 6, 3, 2, 1, 2, 2},
            {2, 4, 6, 6, 4, 3, 1, 1, 1, 4},
            {2, 6, 5, 4, 3, 1, 1, 0, 1, 1},
        };
        for (DType dt : new DType[] {DType.FP32, DType.FP64}) {
            for (boolean cl : new boolean[] {false, true}) {
                for (int[] a : args) {
                    String where = "conv2d " + java.util.Arrays.toString(a) + " " + dt.torchName()
                            + (cl ? " channels-last" : " contiguous");
                    tests.add(DynamicTest.dynamicTest(where, () -> conv2d(dt, cl, a, where)));
                }
            }
        }
        return tests.stream();
    }

    private static void conv2d(DType dt, boolean cl, int[] a, String where) {
        Random rnd = new Random(a[0] * 31 + a[9]);
        Tensor x = images(rnd, dt, cl, a[0], a[1], a[2], a[3]);
        Tensor w = images(rnd, dt, false, a[4], a[1] / a[9], a[5], a[5]);
        Tensor bias = images(rnd, dt, false, 1, 1, 1, a[4]).detach();
        Tensor[][] results = new Tensor[2][];
        for (int side = 0; side < 2; side++) {
            Tensor xi = x.detach().requiresGrad(true);
            Tensor wi = w.detach().requiresGrad(true);
            Tensor bi = ShapeOps.reshape(bias, a[4]).detach().requiresGrad(true);
            try (Backends.Scope s = side == 0 ? Backends.use(Backends.reference()) : Backends.use(Backends.cpu())) {
                Tensor out = ConvOps.conv2d(xi, wi, bi, new int[] {a[6]}, new int[] {a[7]}, new int[] {a[8]}, a[9]);
                Tensor up = images(new Random(9), dt, false, out.size(0), out.size(1), out.size(2), out.size(3));
                Autograd.backward(out, up);
                results[side] = new Tensor[] {out, xi.grad(), wi.grad(), bi.grad()};
            }
        }
        String[] names = {"output", "input grad", "weight grad", "bias grad"};
        for (int i = 0; i < names.length; i++) {
            same(where + " " + names[i], results[0][i], results[1][i]);
        }
    }

    /** Runs {@code f} on the reference backend, then on the CPU backend. */
    private static Tensor[] onBoth(Function<Backend, Tensor> f) {
        return new Tensor[] {f.apply(Backends.reference()), f.apply(Backends.cpu())};
    }

    /**
     * FP32 max pooling bit for bit against the reference on NaNs, signed zeros, infinities and ties: the 2x2 paths
     * (in C with AVX2 where built, else straight-line selects in Java) and the general loop must pick the same value
     * (the first max, the last NaN) and index.
     */
    @org.junit.jupiter.api.Test
    void maxPoolingPicksTheReferencesValueAndIndexBitForBit() {
        double[] specials = {Double.NaN, -0.0, 0.0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1, -1, 2};
        Window2d[] windows = {Window2d.of(2, 2, 2, 2, 0, 0), Window2d.of(2, 2, 1, 1, 0, 0),
            Window2d.of(3, 3, 1, 1, 1, 1)};
        // 8 wide: the C path's scalar tail only; 41 wide: two blocks of eight windows and a tail (2x2, stride 2)
        for (long seed = 0; seed < 40; seed++) {
            int h = seed % 2 == 0 ? 6 : 7;
            int wd = seed % 2 == 0 ? 8 : 41;
            Random rnd = new Random(seed);
            double[] v = new double[2 * 3 * h * wd];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(4) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(3) - 1.0;
            }
            Tensor plain = Tensor.of(v, DType.FP32, 2, 3, h, wd);
            Tensor channelsLast = ShapeOps.permute(Tensor.of(v, DType.FP32, 2, h, wd, 3), 0, 3, 1, 2);
            for (Tensor x : new Tensor[] {plain, channelsLast}) {
                for (Window2d w : windows) {
                    int[] os = {2, 3, w.outHeight(h), w.outWidth(wd)};
                    Tensor[] max = new Tensor[2];
                    Tensor[] idx = new Tensor[2];
                    Backend[] backends = {Backends.reference(), Backends.cpu()};
                    for (int i = 0; i < 2; i++) {
                        max[i] = Tensor.empty(DType.FP32, os);
                        idx[i] = Tensor.empty(DType.INT64, os);
                        backends[i].conv().maxPool2d(x.memory(), x.layout(), DType.FP32, w, max[i].memory(),
                                max[i].layout(), idx[i].memory(), idx[i].layout());
                    }
                    float[] want = max[0].toFloatArray();
                    float[] got = max[1].toFloatArray();
                    long[] wantIdx = idx[0].toLongArray();
                    long[] gotIdx = idx[1].toLongArray();
                    for (int i = 0; i < want.length; i++) {
                        String what = "seed " + seed + " window " + w + " " + x.layout() + " output " + i;
                        org.assertj.core.api.Assertions.assertThat(Float.floatToRawIntBits(got[i])).as(what)
                                .isEqualTo(Float.floatToRawIntBits(want[i]));
                        org.assertj.core.api.Assertions.assertThat(gotIdx[i]).as(what).isEqualTo(wantIdx[i]);
                    }
                }
            }
        }
    }

    private static void same(String what, Tensor... pair) {
        double tol = pair[0].dtype() == DType.FP64 ? 1e-12 : 2e-5;
        double[] want = pair[0].toDoubleArray();
        double[] got = pair[1].toDoubleArray();
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
                fail(what + ": cpu element " + i + " is " + got[i] + ", reference " + want[i]);
            }
        }
    }
}
