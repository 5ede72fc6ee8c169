package io.nabla.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU index kernels against the reference kernels over dtype x layout x size: every result must be bit-identical
 * (the fast paths add in the reference's order). Large sizes run the parallel paths.
 */
class IndexKernelsConformanceTest {

    private static final DType[] DTYPES = {DType.FP32, DType.FP64, DType.FP16, DType.BF16, DType.INT64, DType.INT32,
        DType.INT8};
    private static final String[] LAYOUTS = {"contiguous", "transposed", "broadcast", "offset"};
    private static final IndexKernels CPU = Backends.cpu().index();
    private static final IndexKernels REF = Backends.reference().index();

    /** One kernel call writing into {@code out} (which starts as a copy of the same data for both backends). */
    private interface Call {
        void run(IndexKernels k, Tensor out);
    }

    @TestFactory
    Stream<DynamicTest> cpuMatchesReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : DTYPES) {
            for (String layout : LAYOUTS) {
                for (int scale : new int[] {1, 40}) {
                    String name = t.torchName() + " " + layout + (scale > 1 ? " large" : " small");
                    tests.add(DynamicTest.dynamicTest(name, () -> runAll(t, layout, scale)));
                }
            }
        }
        return tests.stream();
    }

    private void runAll(DType t, String layout, int scale) {
        Random rnd = new Random(31L * t.ordinal() + layout.hashCode() + scale);
        try (TensorScope s = TensorScope.open()) {
            int rows = 10 * scale;
            int cols = 3 * scale + 5;
            Tensor in = data(rnd, t, layout, rows, cols);
            for (int dim = 0; dim < 2; dim++) {
                gatherAndScatter(rnd, t, layout, in, dim);
                selectAddAndCat(rnd, t, layout, in, dim);
            }
            maskedFill(rnd, t, layout, in);
        }
    }

    /** gather and scatter_add along {@code d}: an index as large as the data outside d (the fast path) and smaller. */
    private static void gatherAndScatter(Random rnd, DType t, String layout, Tensor in, int d) {
        int rows = in.size(0);
        int cols = in.size(1);
        Tensor idx = index(rnd, in.size(d), d == 0 ? rows + 3 : rows, d == 0 ? cols : cols + 3);
        compare("gather dim" + d, t, layout, Tensor.empty(t, idx.shape()),
                (k, out) -> k.gather(d, in.memory(), in.layout(), idx.memory(), idx.layout(), idx.dtype(), t,
                        out.memory(), out.layout()));
        Tensor part = index(rnd, in.size(d), rows - 1, cols - 1);
        compare("gather dim" + d + " smaller index", t, layout, Tensor.empty(t, part.shape()),
                (k, out) -> k.gather(d, in.memory(), in.layout(), part.memory(), part.layout(), part.dtype(), t,
                        out.memory(), out.layout()));
        Tensor base = in.dataCopy();
        Tensor sIdx = index(rnd, in.size(d), d == 0 ? rows + 3 : rows, cols);
        Tensor sSrc = data(rnd, t, layout, sIdx.size(0), sIdx.size(1));
        compare("scatter_add dim" + d, t, layout, base,
                (k, out) -> k.scatterAdd(d, sIdx.memory(), sIdx.layout(), sIdx.dtype(), sSrc.memory(), sSrc.layout(),
                        t, out.memory(), out.layout()));
        Tensor bigSrc = data(rnd, t, layout, rows + 1, cols + 1);
        compare("scatter_add dim" + d + " smaller index", t, layout, base,
                (k, out) -> k.scatterAdd(d, part.memory(), part.layout(), part.dtype(), bigSrc.memory(),
                        bigSrc.layout(), t, out.memory(), out.layout()));
    }

    /** index_select and index_add with repeated indices along {@code d}, and cat around the layout under test. */
    private static void selectAddAndCat(Random rnd, DType t, String layout, Tensor in, int d) {
        int count = 3 * in.size(d) / 2 + 1;
        Tensor sel = index(rnd, in.size(d), count);
        int[] selShape = in.shape();
        selShape[d] = count;
        compare("index_select dim" + d, t, layout, Tensor.empty(t, selShape),
                (k, out) -> k.indexSelect(d, in.memory(), in.layout(), sel.memory(), sel.layout(), sel.dtype(), t,
                        out.memory(), out.layout()));
        Tensor base = in.dataCopy();
        Tensor addSrc = data(rnd, t, layout, selShape);
        compare("index_add dim" + d, t, layout, base,
                (k, out) -> k.indexAdd(d, sel.memory(), sel.layout(), sel.dtype(), addSrc.memory(), addSrc.layout(),
                        t, out.memory(), out.layout()));
        Tensor sel32 = sel.dataAs(DType.INT32);
        compare("index_add int32 index dim" + d, t, layout, base,
                (k, out) -> k.indexAdd(d, sel32.memory(), sel32.layout(), sel32.dtype(), addSrc.memory(),
                        addSrc.layout(), t, out.memory(), out.layout()));
        int rows = in.size(0);
        int cols = in.size(1);
        Tensor a = data(rnd, t, "contiguous", d == 0 ? 3 : rows, d == 0 ? cols : 2);
        Tensor c = data(rnd, t, "contiguous", d == 0 ? 1 : rows, d == 0 ? cols : 7);
        int[] catShape = in.shape();
        catShape[d] += a.size(d) + c.size(d);
        compare("cat dim" + d, t, layout, Tensor.empty(t, catShape),
                (k, out) -> k.cat(d, new Memory[] {a.memory(), in.memory(), c.memory()},
                        new Layout[] {a.layout(), in.layout(), c.layout()}, t, out.memory(), out.layout()));
    }

    /** masked_fill with a full, a row-broadcast and a transposed mask. */
    private static void maskedFill(Random rnd, DType t, String layout, Tensor in) {
        int rows = in.size(0);
        int cols = in.size(1);
        Tensor[] masks = {mask(rnd, rows, cols), ShapeOps.expand(mask(rnd, 1, cols), rows, cols),
            ShapeOps.transpose(mask(rnd, cols, rows), 0, 1)};
        String[] kinds = {"full", "row-broadcast", "transposed"};
        for (int i = 0; i < masks.length; i++) {
            Tensor m = masks[i];
            compare("masked_fill " + kinds[i] + " mask", t, layout, Tensor.empty(t, rows, cols),
                    (k, out) -> k.maskedFill(in.memory(), in.layout(), m.memory(), m.layout(), -1.75, t,
                            out.memory(), out.layout()));
        }
    }

    private static Tensor mask(Random rnd, int... shape) {
        boolean[] v = new boolean[(int) Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextBoolean();
        }
        return Tensor.of(v, shape);
    }

    private static void compare(String op, DType t, String layout, Tensor start, Call call) {
        Tensor expected = start.dataCopy();
        Tensor actual = start.dataCopy();
        call.run(REF, expected);
        call.run(CPU, actual);
        assertThat(actual.toBytes()).as("%s on %s, %s input, output %s", op, t.torchName(), layout,
                Shape.format(start.shape())).isEqualTo(expected.toBytes());
    }

    /** Random data of this shape laid out as named: contiguous, transposed view, broadcast (stride 0) or offset. */
    private static Tensor data(Random rnd, DType t, String layout, int... shape) {
        int[] base = shape.clone();
        switch (layout) {
            case "transposed" -> {
                base[0] = shape[1];
                base[1] = shape[0];
            }
            case "broadcast" -> base[0] = 1;
            case "offset" -> base[0] = shape[0] + 2;
            default -> { }
        }
        double[] v = new double[(int) Shape.numel(base)];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.isFloatingPoint() ? rnd.nextGaussian() : rnd.nextInt(100) - 50;
        }
        Tensor b = Tensor.of(v, t, base);
        return switch (layout) {
            case "transposed" -> ShapeOps.transpose(b, 0, 1);
            case "broadcast" -> ShapeOps.expand(b, shape);
            case "offset" -> ShapeOps.narrow(b, 0, 2, shape[0]);
            default -> b;
        };
    }

    private static Tensor index(Random rnd, int bound, int... shape) {
        long[] v = new long[(int) Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(bound);
        }
        return Tensor.of(v, shape);
    }
}
