package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Drives every public static op of the engine with random bad (and good) arguments: tensors of every rank, dtype
 * and layout, out-of-range dims, negative and huge sizes, unknown strings, NaN scalars. Every failure must be a
 * named {@link IllegalArgumentException} or {@link IllegalStateException} — never an index-out-of-bounds,
 * null-pointer, class-cast or negative-array-size error from inside the engine.
 */
class BadArgumentFuzzTest {

    private static final List<Class<?>> OP_FAMILIES = List.of(ElementwiseOps.class, ActivationOps.class,
            InPlaceOps.class, ReduceOps.class, NormOps.class, LinalgOps.class, ConvOps.class, IndexOps.class,
            JoinOps.class, OrderOps.class, LossOps.class, ShapeOps.class);

    private static final int[] INTS = {-7, -2, -1, 0, 1, 2, 3, 5, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final int[][] INT_ARRAYS = {{}, {-1}, {0}, {1}, {2, 3}, {3, 2}, {-1, -1}, {7, 7, 7}, {99},
            {Integer.MAX_VALUE, 2}, {0, 0}, {1, 1}};
    private static final double[] DOUBLES = {Double.NaN, Double.NEGATIVE_INFINITY, -1, 0, 0.5, 2, 1e300};
    private static final String[] STRINGS = {"mean", "sum", "none", "batchmean", "tanh", "bogus", ""};

    @Test
    void noOpFailsWithAnUnnamedError() {
        Random rnd = new Random(Long.getLong("nabla.fuzz.seed", 20261122L));
        List<String> failures = new ArrayList<>();
        int calls = 0;
        for (Class<?> family : OP_FAMILIES) {
            for (Method m : family.getMethods()) {
                if (!Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != family) {
                    continue;
                }
                for (int trial = 0; trial < Integer.getInteger("nabla.fuzz.trials", 150); trial++) {
                    calls++;
                    String failure = callOnce(m, rnd);
                    if (failure != null) {
                        failures.add(failure);
                    }
                }
            }
        }
        assertThat(calls).isGreaterThan(1000);
        assertThat(failures).as("ops that failed with an unnamed error").isEmpty();
    }

    private static String callOnce(Method m, Random rnd) {
        try (TensorScope scope = TensorScope.open()) {
            Object[] args = new Object[m.getParameterCount()];
            Parameter[] ps = m.getParameters();
            for (int i = 0; i < args.length; i++) {
                args[i] = value(ps[i].getType(), rnd);
            }
            try {
                m.invoke(null, args);
                return null;
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                if ((t instanceof IllegalArgumentException || t instanceof IllegalStateException)
                        && t.getMessage() != null && !t.getMessage().isBlank()) {
                    return null;
                }
                return m.getDeclaringClass().getSimpleName() + "." + m.getName() + describe(args) + " threw " + t
                        + (t.getStackTrace().length > 0 ? " at " + t.getStackTrace()[0] : "");
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static String describe(Object[] args) {
        StringBuilder sb = new StringBuilder("(");
        for (Object a : args) {
            sb.append(sb.length() == 1 ? "" : ", ");
            if (a instanceof int[] ia) {
                sb.append(Arrays.toString(ia));
            } else if (a instanceof Tensor[] ta) {
                sb.append(Arrays.toString(ta));
            } else {
                sb.append(a);
            }
        }
        return sb.append(')').toString();
    }

    private static Object value(Class<?> type, Random rnd) {
        if (type == Tensor.class) {
            return tensor(rnd);
        }
        if (type == int.class || type == Integer.class) {
            return INTS[rnd.nextInt(INTS.length)];
        }
        if (type == long.class || type == Long.class) {
            return (long) INTS[rnd.nextInt(INTS.length)];
        }
        if (type == double.class || type == Double.class) {
            return DOUBLES[rnd.nextInt(DOUBLES.length)];
        }
        if (type == float.class) {
            return (float) DOUBLES[rnd.nextInt(DOUBLES.length)];
        }
        if (type == boolean.class || type == Boolean.class) {
            return rnd.nextBoolean();
        }
        if (type == int[].class) {
            return INT_ARRAYS[rnd.nextInt(INT_ARRAYS.length)].clone();
        }
        if (type == long[].class) {
            return Arrays.stream(INT_ARRAYS[rnd.nextInt(INT_ARRAYS.length)]).asLongStream().toArray();
        }
        if (type == String.class) {
            return STRINGS[rnd.nextInt(STRINGS.length)];
        }
        if (type == DType.class) {
            return DType.values()[rnd.nextInt(DType.values().length)];
        }
        if (type == Tensor[].class) {
            Tensor[] ts = new Tensor[rnd.nextInt(4)];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = tensor(rnd);
            }
            return ts;
        }
        if (type == List.class) {
            List<Tensor> ts = new ArrayList<>();
            for (int i = rnd.nextInt(4); i > 0; i--) {
                ts.add(tensor(rnd));
            }
            return ts;
        }
        if (type.isEnum()) {
            Object[] cs = type.getEnumConstants();
            return cs[rnd.nextInt(cs.length)];
        }
        // an argument type this fuzzer does not know: a null, which the op must reject by name
        return null;
    }

    private static final int[][] SHAPES = {{}, {0}, {1}, {3}, {2, 3}, {3, 2}, {1, 3}, {2, 0}, {2, 3, 4},
            {1, 2, 5, 5}, {2, 3, 4, 4}, {4, 1, 3}};

    private static Tensor tensor(Random rnd) {
        int[] shape = SHAPES[rnd.nextInt(SHAPES.length)];
        DType[] dtypes = {DType.FP32, DType.FP32, DType.FP64, DType.INT64, DType.BOOL, DType.INT32, DType.FP16};
        DType dt = dtypes[rnd.nextInt(dtypes.length)];
        long n = io.nabla.tensor.Shape.numel(shape);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = dt == DType.BOOL ? rnd.nextInt(2) : dt.isFloatingPoint() ? rnd.nextGaussian() : rnd.nextInt(4);
        }
        Tensor t = Tensor.of(v, dt, shape);
        if (shape.length >= 2 && rnd.nextBoolean()) {
            t = ShapeOps.transpose(t, 0, 1);
        }
        if (dt.isFloatingPoint() && rnd.nextInt(3) == 0) {
            t = t.detach();
            t.requiresGrad(true);
        }
        return t;
    }
}
